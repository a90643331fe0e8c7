"""Normalize a message before matching: width, script, separators, case and disguises."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import ahocorasick
import opencc

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# Characters scammers put between characters to dodge filters ("刷 单", "微*信", "返.利").
# Clause punctuation (，。！？；：) is kept: it bounds negation ("我没转，他让我…").
_SEPARATORS = r"\s\-_*·•.、|/\\~`'\"^+=#@丶ˇ¨°()（）\[\]【】<>《》{}"
# Each gap pattern first checks that a separator is at hand (a cheap lookahead), so the engine
# does not try its lookbehinds at every other character of the message.
_BETWEEN = re.compile(
    rf"(?=[{_SEPARATORS}])(?:(?<=[{_CJK}A-Za-z0-9])[{_SEPARATORS}]{{1,3}}(?=[{_CJK}])"
    rf"|(?<=[{_CJK}])[{_SEPARATORS}]{{1,3}}(?=[{_CJK}A-Za-z0-9]))")
# A single separator between ASCII letters, as in "v x" or "q.q"; never across longer gaps.
_LETTER_GAP = re.compile(r"(?=[\s\-_*.·])(?<![a-z][a-z])(?<=[a-z])[\s\-_*.·](?=[a-z](?![a-z]))")
# A space between two phrases ("让我保密 现在我正在去银行", "货款3万2 我在手机银行", "转18万 我刚转完") ends a
# clause, as a comma would; spaces between single characters ("降 压 神 药") are a disguise and are
# joined instead.
_PHRASE_GAP = re.compile(
    rf"(?=\s)(?:(?<=[{_CJK}]{{2}})|(?<=[{_CJK}a-z0-9][a-z0-9])|(?<=[0-9][{_CJK}]))\s+(?=[{_CJK}]{{2}})")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_INVISIBLE_CHARS = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad")
# Most messages hold no separator at all; a set test then spares the slower patterns.
_SEPARATOR_CHARS = frozenset(" \t\n\r\u3000-_*·•.、|/\\~`'\"^+=#@丶ˇ¨°()（）[]【】<>《》{}")
_SPACES = re.compile(r"\s+")
_WHITESPACE = frozenset(" \t\n\r\x0b\x0c\x85\xa0\u2028\u2029")


def _any_of(chars) -> re.Pattern[str]:
    """A pattern that finds any one of chars (a character class searches faster than a set test)."""
    return re.compile("[" + "".join(re.escape(char) for char in sorted(chars)) + "]")


def _width_table() -> dict[str, str]:
    """Full-width ASCII forms and the ideographic space, each to the one character NFKC makes of it.

    Replacing a character by its NFKC form leaves the string's NFKC form unchanged, so most messages
    (whose only full-width characters are punctuation such as "，") need no full NFKC pass at all.
    """
    table = {}
    for code in (*range(0xFF01, 0xFF5F), 0x3000):
        plain = unicodedata.normalize("NFKC", chr(code))
        if len(plain) == 1 and unicodedata.normalize("NFKD", plain) == unicodedata.normalize("NFKD", chr(code)):
            table[chr(code)] = plain
    return table


_HALF_WIDTH = _width_table()
_FULL_WIDTH = _any_of(_HALF_WIDTH)
_INVISIBLE_ANY = _any_of(_INVISIBLE_CHARS)
_SEPARATOR_ANY = _any_of(_SEPARATOR_CHARS)
_WHITESPACE_ANY = _any_of(_WHITESPACE)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Every traditional character that differs from its simplified form."""
    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars: set[str] = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets and targets.split()[0] != source:
            chars.add(source)
    return frozenset(chars)


def to_simplified(text: str) -> str:
    """Traditional to simplified, calling the slow converter only when a traditional character is present."""
    if _traditional_chars().isdisjoint(text):
        return text
    return _converter().convert(text)


def fold(text: str, casefold: bool = True) -> str:
    """Full-width to half-width, traditional to simplified, invisible characters dropped, case folded."""
    if not unicodedata.is_normalized("NFKC", text):
        for full in set(_FULL_WIDTH.findall(text)):
            text = text.replace(full, _HALF_WIDTH[full])
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    if _INVISIBLE_ANY.search(text) is not None:
        text = _INVISIBLE.sub("", text)
    text = to_simplified(text)
    return text.casefold() if casefold else text


def join_separated(text: str) -> str:
    """Remove separators inserted between characters ("刷 单" → "刷单", "v x" → "vx")."""
    if _SEPARATOR_ANY.search(text) is None:
        return text
    text = _PHRASE_GAP.sub("，", text)
    text = _BETWEEN.sub("", text)
    return _LETTER_GAP.sub("", text)


class DisguiseTable:
    """Maps disguised spellings to the plain word, longest disguise first, in one pass."""

    def __init__(self, mapping: dict[str, str]):
        self.mapping = {fold(key): fold(value) for key, value in mapping.items() if key}
        self._automaton = _replacer(self.mapping)
        # A space inside a Chinese disguise or its plain word ("一个菠 菜网站", "做刷 单") would read as
        # a gap between two phrases and end a clause; these spellings are joined before that.
        spaced: dict[str, str] = {}
        for key, value in self.mapping.items():
            for word, plain in ((key, value), (value, value)):
                if _CJK_WORD.fullmatch(word):
                    spaced.update((word[:cut] + " " + word[cut:], plain) for cut in range(1, len(word)))
        self._spaced = _replacer(spaced)

    def apply(self, text: str) -> str:
        """Replace every disguise, preferring the longest at each position, left to right."""
        return _replace(self._automaton, text)

    def join_spaced(self, text: str) -> str:
        """Join a disguise or its plain word written with a space inside ("菠 菜" → "博彩")."""
        return _replace(self._spaced, text)


_CJK_WORD = re.compile(rf"[{_CJK}]{{2,4}}")


def _replacer(mapping: dict[str, str]) -> ahocorasick.Automaton | None:
    """One automaton of every key, each carrying its length and replacement."""
    if not mapping:
        return None
    automaton = ahocorasick.Automaton()
    for key, value in mapping.items():
        automaton.add_word(key, (len(key), value))
    automaton.make_automaton()
    return automaton


def _replace(automaton: ahocorasick.Automaton | None, text: str) -> str:
    """Replace every key found, preferring the longest at each position, left to right."""
    if automaton is None:
        return text
    hits = sorted(((end - size + 1, size, value) for end, (size, value) in automaton.iter(text)),
                  key=lambda hit: (hit[0], -hit[1]))
    if not hits:
        return text
    parts: list[str] = []
    cursor = 0
    for start, size, value in hits:
        if start < cursor or not _standalone(text, start, size):
            continue
        parts.append(text[cursor:start])
        parts.append(value)
        cursor = start + size
    parts.append(text[cursor:])
    return "".join(parts)


def _standalone(text: str, start: int, size: int) -> bool:
    """A Latin disguise ("vx", "dk") counts only as a word of its own, not inside "vxabc" or a link."""
    word = text[start:start + size]
    if not word[0].isascii() and not word[-1].isascii():
        return True
    before = text[start - 1] if start else " "
    after = text[start + size] if start + size < len(text) else " "
    return not ((word[0].isascii() and (before.isascii() and before.isalnum()))
                or (word[-1].isascii() and (after.isascii() and after.isalnum())))


def normalize(text: str, disguises: DisguiseTable | None = None) -> str:
    """The matching form of a message: folded, separators joined, disguises mapped."""
    return normalize_folded(fold(text), disguises)


def normalize_folded(folded: str, disguises: DisguiseTable | None = None) -> str:
    """normalize() for text that fold() has already seen (the advisor folds once for everything)."""
    if _WHITESPACE_ANY.search(folded) is None:
        spaced = folded
    else:
        spaced = _SPACES.sub(" ", folded).strip()
        if disguises is not None:
            spaced = disguises.join_spaced(spaced)
    joined = join_separated(spaced)
    return disguises.apply(joined) if disguises is not None else joined
