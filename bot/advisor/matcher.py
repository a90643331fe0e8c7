"""Multi-pattern matching of a normalized message against every entry's signals and combos.

One Aho-Corasick pass finds every pattern at once, so the cost grows with the message, not with
the number of patterns; only the entries a found pattern belongs to are scored. Everything a found
pattern leads to (its signals, combo parts, display word) is compiled into the automaton's value.
"""

from __future__ import annotations

import logging
import re
import threading
from math import inf, log
from dataclasses import dataclass, field

import ahocorasick
import jieba

from bot.advisor.knowledge import Entry
from bot.advisor.normalize import DisguiseTable, normalize

jieba.setLogLevel(logging.WARNING)
_CJK_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
# jieba's own block, skip and Latin patterns (jieba.re_han_default, re_skip_default, re_eng).
_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_HAN_WORD = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+")
_SKIP = re.compile("(\r\n|\\s)", re.U)
_ENG = re.compile("[a-zA-Z0-9]", re.U)
# Short Chinese patterns ("中奖", "经理") must start or end a word: "集中奖励" holds no 中奖,
# "解冻费" holds 解冻 and "部门经理" holds 经理.
SHORT_PATTERN = 2
# Each further distinct word of the same signal adds this share of its weight, at most EXTRA_WORDS times.
EXTRA_SHARE = 0.4
EXTRA_WORDS = 2


# Below every route's log probability: the first candidate always replaces it.
_NO_ROUTE = (-inf, -1)
# Slots (a power of two, less one) of the table of character pairs that occur inside words: a few
# percent of slots are taken, so a pair absent from every word is nearly always told at once.
PAIR_SLOTS = (1 << 22) - 1


class _Segmenter:
    """One jieba tokenizer per process, loaded on first use, with every knowledge-base word added."""

    WINDOW = 8
    CACHE_SIZE = 100_000

    def __init__(self) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._pending: set[str] = set()
        self._added: set[str] = set()
        self._cache: dict[tuple[str, int, int], bool] = {}
        self._lock = threading.Lock()
        self._logp: dict[str, float] = {}
        self._logtotal = 0.0
        self._pairs = bytearray()  # built with the dictionary: see _note_pairs

    def forget(self) -> None:
        """Drop what earlier messages taught (word edges decided, word probabilities computed), as in a
        fresh process: the benchmark measures every batch as new messages."""
        with self._lock:
            self._cache = {}
            self._logp = {}

    def add_words(self, words: set[str]) -> None:
        with self._lock:
            self._pending |= words - self._added

    def at_word_edge(self, text: str, start: int, end: int) -> bool:
        """Does jieba start or end a word where text[start:end] does? Only a few characters around are cut.

        "部门经理" holds 经理 (it ends the word); "集中奖励" (集中/奖励) holds no 中奖.
        """
        if start == 0 or end == len(text) or not "\u3400" <= text[start - 1] <= "\u9fff" \
                or not "\u3400" <= text[end] <= "\u9fff":
            return True
        if self._pending or not self._logtotal:
            self._flush()
        # A boundary no dictionary word crosses is always cut, whatever route jieba takes: this
        # settles most hits with a few lookups; only a pattern whose both ends sit inside candidate
        # words ("集中奖励") needs the route.
        if not self._crossed(text, start) or not self._crossed(text, end):
            return True
        left = start - self.WINDOW if start > self.WINDOW else 0
        key = (text[left:end + self.WINDOW], start - left, end - left)
        known = self._cache.get(key)
        if known is None:
            cuts = self._cuts(key[0])
            known = key[1] in cuts or key[2] in cuts
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = known
        return known

    def _crossed(self, text: str, boundary: int) -> bool:
        """Does some dictionary word within the window span the boundary (start before it, end after it)?

        jieba's FREQ holds every prefix of every word (at frequency 0), so a fragment that is not in it
        extends to no word; most fragments fail that one lookup.
        """
        if not self._pairs[hash(text[boundary - 1:boundary + 1]) & PAIR_SLOTS]:
            return False
        freq = self._tokenizer.FREQ
        size = len(text)
        lowest = boundary - self.WINDOW if boundary > self.WINDOW else 0
        for begin in range(boundary - 1, lowest - 1, -1):
            stop = boundary + 1
            fragment = text[begin:stop]
            while fragment in freq:
                if freq[fragment] and _HAN_WORD.fullmatch(fragment):
                    return True
                if stop == size:
                    break
                stop += 1
                fragment = text[begin:stop]
        return False

    def _cuts(self, text: str) -> set[int]:
        """Where jieba's cut(text, HMM=False) puts word boundaries (offset 0 included)."""
        cuts, offset = {0}, 0
        for block in _HAN.split(text):
            if not block:
                continue
            if _HAN.match(block):
                self._block_cuts(block, offset, cuts)
            else:  # jieba yields "\r\n" whole and every other character on its own
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        offset += len(piece)
                        cuts.add(offset)
                    else:
                        for _char in piece:
                            offset += 1
                            cuts.add(offset)
                continue
            offset += len(block)
        return cuts

    def _block_cuts(self, block: str, offset: int, cuts: set[int]) -> None:
        """jieba's dictionary route through one block (its get_DAG and calc, with each word's log
        probability kept rather than recomputed), and its boundaries; runs of single Latin letters or
        digits stay one word, as jieba joins them."""
        freq = self._tokenizer.FREQ
        logp = self._logp
        size = len(block)
        route: list[tuple[float, int]] = [(0, 0)] * (size + 1)
        logtotal = self._logtotal
        for start in range(size - 1, -1, -1):
            ends = []
            end = start
            fragment = block[start]
            while end < size and fragment in freq:
                if freq[fragment]:
                    ends.append(end)
                end += 1
                fragment = block[start:end + 1]
            if not ends:
                ends.append(start)
            best = _NO_ROUTE
            for end in ends:
                word = block[start:end + 1]
                weight = logp.get(word)
                if weight is None:
                    weight = logp[word] = log(freq.get(word) or 1) - logtotal
                candidate = (weight + route[end + 1][0], end)
                if candidate > best:
                    best = candidate
            route[start] = best
        position, joined = 0, False
        while position < size:
            end = route[position][1] + 1
            single_latin = end - position == 1 and _ENG.match(block[position]) is not None
            if not (single_latin and joined):
                cuts.add(offset + position)
            joined = single_latin
            position = end
        cuts.add(offset + size)

    def _note_pairs(self, words) -> None:
        """Mark every two adjacent characters inside a dictionary word: a boundary between two characters
        that are never adjacent in any word is crossed by none. Every prefix of a word is in FREQ, so
        the last pair of each entry covers every pair of every word (a few spare ones only cost a scan)."""
        pairs = self._pairs
        for word in words:
            if len(word) > 1:
                pairs[hash(word[-2:]) & PAIR_SLOTS] = 1

    def _flush(self) -> None:
        with self._lock:
            self._tokenizer.check_initialized()
            if not self._pairs:
                self._pairs = bytearray(PAIR_SLOTS + 1)
                self._note_pairs(self._tokenizer.FREQ)
            for word in self._pending:
                # Only words jieba lacks, at the frequency jieba itself suggests: knowledge-base words
                # must not swallow their neighbours ("跟我借" must leave "借钱" a word).
                if word not in self._tokenizer.FREQ or not self._tokenizer.FREQ[word]:
                    self._tokenizer.add_word(word)
                    self._note_pairs(word[:end] for end in range(2, len(word) + 1))
            self._added |= self._pending
            self._pending = set()
            self._cache.clear()
            self._logp = {}
            self._logtotal = log(self._tokenizer.total)


SEGMENTER = _Segmenter()


@dataclass(slots=True)
class EntryScore:
    entry: Entry
    score: float
    words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# A target says what a found pattern counts for: (entry, SIGNAL, signal index, 0) or (entry, COMBO, combo, part).
SIGNAL, COMBO = 0, 1
_Target = tuple[int, int, int, int]


class Matcher:
    """Compiled patterns of a knowledge base; `match` scores the entries a message touches."""

    def __init__(self, entries: list[Entry], disguises: DisguiseTable):
        self.entries = entries
        self.disguises = disguises
        targets: dict[str, list[_Target]] = {}
        self._entry_tags: dict[int, list[tuple[str, int, int]]] = {}  # (tag, combo, bit of its part)
        self._display: dict[str, str] = {}
        for index, entry in enumerate(entries):
            self._add_entry(index, entry, targets)
        # Per entry, what scoring needs: each signal's (weight, multiplier per extra word, note) and
        # each combo's (bits of all its parts, weight, shown words, note).
        self._signal_data = [[(signal.weight, signal.weight > 0, signal.note) for signal in entry.signals]
                             for entry in entries]
        self._combo_data = [[((1 << len(combo.parts)) - 1, combo.weight, "+".join(part[0].lstrip("@") for part in combo.parts),
                              combo.note) for combo in entry.combos] for entry in entries]
        self._automaton = ahocorasick.Automaton()
        for pattern, pattern_targets in targets.items():
            short = len(pattern) <= SHORT_PATTERN and _CJK_ONLY.match(pattern) is not None
            signal_targets = tuple((entry, signal) for entry, kind, signal, _part in pattern_targets
                                   if kind == SIGNAL)
            combo_targets = tuple(dict.fromkeys((entry, combo, 1 << part)
                                                for entry, kind, combo, part in pattern_targets if kind == COMBO))
            self._automaton.add_word(pattern, (pattern, len(pattern) - 1, short, signal_targets, combo_targets))
        if targets:
            self._automaton.make_automaton()
        SEGMENTER.add_words({p for p in targets if _CJK_ONLY.match(p) and len(p) == 2})
        # The automaton holds everything a pattern leads to; the build-time lists are not kept.
        self._any_patterns = bool(targets)

    def _pattern(self, word: str) -> str:
        pattern = normalize(word, self.disguises).replace(" ", "")
        self._display.setdefault(pattern, word)
        return pattern

    def _add_entry(self, index: int, entry: Entry, targets: dict[str, list[_Target]]) -> None:
        for signal_index, signal in enumerate(entry.signals):
            # Spellings that normalize alike ("屏幕共享", "共享屏幕") are one word of the signal.
            for pattern in dict.fromkeys(self._pattern(word) for word in signal.words):
                targets.setdefault(pattern, []).append((index, SIGNAL, signal_index, 0))
        for combo_index, combo in enumerate(entry.combos):
            for part_index, part in enumerate(combo.parts):
                for word in dict.fromkeys(part):
                    if word.startswith("@"):
                        self._entry_tags.setdefault(index, []).append((word, combo_index, 1 << part_index))
                    else:
                        targets.setdefault(self._pattern(word), []).append(
                            (index, COMBO, combo_index, part_index))

    def match(self, text: str, tags: frozenset[str] = frozenset()) -> list[EntryScore]:
        """Entries whose signals text touches (combos may also count entity tags such as "@amount"), best first."""
        if not self._any_patterns:
            return []
        # Each pattern counts once, at its first offset that passes (short ones only at a word edge).
        seen: set[str] = set()
        signals: dict[int, dict[int, list[tuple[int, str]]]] = {}
        combo_hits: list[tuple[int, int, int]] = []
        edge = SEGMENTER.at_word_edge
        for end, (pattern, extra, short, signal_targets, combo_targets) in self._automaton.iter(text):
            if pattern in seen:
                continue
            start = end - extra
            if short and not edge(text, start, end + 1):
                continue
            seen.add(pattern)
            for entry, signal in signal_targets:
                per_entry = signals.get(entry)
                if per_entry is None:
                    signals[entry] = {signal: [(start, pattern)]}
                else:
                    spans = per_entry.get(signal)
                    if spans is None:
                        per_entry[signal] = [(start, pattern)]
                    else:
                        spans.append((start, pattern))
            if combo_targets:
                combo_hits += combo_targets
        if not signals:
            return []
        # The parts of each combo seen so far, one bit per part.
        parts: dict[int, dict[int, int]] = {}
        for entry, combo, bit in combo_hits:
            if entry in signals:
                seen_parts = parts.get(entry)
                if seen_parts is None:
                    parts[entry] = {combo: bit}
                else:
                    seen_parts[combo] = seen_parts.get(combo, 0) | bit
        if tags:
            entry_tags = self._entry_tags
            for entry in signals:
                for tag, combo, bit in entry_tags.get(entry, ()):
                    if tag in tags:
                        seen_parts = parts.setdefault(entry, {})
                        seen_parts[combo] = seen_parts.get(combo, 0) | bit
        scores = [self._score(entry, found_signals, parts.get(entry)) for entry, found_signals in signals.items()]
        if len(scores) > 1:
            scores.sort(key=_rank)
        return scores

    def _score(self, index: int, signals: dict[int, list[tuple[int, str]]],
               parts: dict[int, int] | None) -> EntryScore:
        score = 0.0
        words: list[str] = []
        notes: list[str] = []
        display = self._display
        signal_data = self._signal_data[index]
        for signal_index in (sorted(signals) if len(signals) > 1 else signals):
            spans = signals[signal_index]
            weight, positive, note = signal_data[signal_index]
            if len(spans) > 1:
                found_words = _outermost(spans)
                extra = min(EXTRA_WORDS, len(found_words) - 1) if positive else 0
                score += weight * (1 + EXTRA_SHARE * extra)
                if positive:
                    words += [display.get(word, word) for word in found_words]
            else:
                score += weight
                if positive:
                    word = spans[0][1]
                    words.append(display.get(word, word))
            if positive and note:
                notes.append(note)
        if parts:
            combo_data = self._combo_data[index]
            for combo_index in (sorted(parts) if len(parts) > 1 else parts):
                every_part, weight, shown, note = combo_data[combo_index]
                if parts[combo_index] == every_part:
                    score += weight
                    if weight > 0:
                        words.append(shown)
                        if note:
                            notes.append(note)
        return EntryScore(self.entries[index], score, words, notes)


def _rank(item: EntryScore) -> tuple[float, str]:
    return -item.score, item.entry.id


def _outermost(spans: list[tuple[int, str]]) -> list[str]:
    """Distinct words, dropping any that lie inside a longer one found ("返佣" inside "返佣金")."""
    kept = []
    for start, word in spans:
        end = start + len(word)
        if not any(other_start <= start and end <= other_start + len(other) and (other_start, other) != (start, word)
                   for other_start, other in spans):
            kept.append(word)
    return kept
