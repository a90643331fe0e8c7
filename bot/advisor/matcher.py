"""Multi-pattern matching of a normalized message against every entry's signals and combos.

One Aho-Corasick pass finds every pattern at once, so the cost grows with the message, not with
the number of patterns; only the entries a found pattern belongs to are scored.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

import ahocorasick
import jieba

from bot.advisor.knowledge import Entry
from bot.advisor.normalize import DisguiseTable, normalize

jieba.setLogLevel(logging.WARNING)
_CJK_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
# Short Chinese patterns ("中奖", "解冻") must start a word: "集中奖励" holds no 中奖, "解冻费" holds 解冻.
SHORT_PATTERN = 2
# Each further distinct word of the same signal adds this share of its weight, at most EXTRA_WORDS times.
EXTRA_SHARE = 0.4
EXTRA_WORDS = 2


class _Segmenter:
    """One jieba tokenizer per process, loaded on first use, with every knowledge-base word added."""

    def __init__(self) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._pending: set[str] = set()
        self._added: set[str] = set()
        self._lock = threading.Lock()

    def add_words(self, words: set[str]) -> None:
        with self._lock:
            self._pending |= words - self._added

    def boundaries(self, text: str) -> set[int]:
        """Offsets where jieba puts a word boundary in text."""
        self._flush()
        cuts, offset = {0}, 0
        for token in self._tokenizer.cut(text, HMM=False):
            offset += len(token)
            cuts.add(offset)
        return cuts

    def _flush(self) -> None:
        with self._lock:
            for word in self._pending:
                self._tokenizer.add_word(word, freq=200_000)
            self._added |= self._pending
            self._pending = set()


SEGMENTER = _Segmenter()


@dataclass
class EntryScore:
    entry: Entry
    score: float
    words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Target:
    entry: int
    signal: int = -1
    combo: int = -1
    part: int = -1


class Matcher:
    """Compiled patterns of a knowledge base; `match` scores the entries a message touches."""

    def __init__(self, entries: list[Entry], disguises: DisguiseTable):
        self.entries = entries
        self.disguises = disguises
        self._targets: dict[str, list[_Target]] = {}
        self._tag_targets: dict[str, list[_Target]] = {}
        self._display: dict[str, str] = {}
        for index, entry in enumerate(entries):
            self._add_entry(index, entry)
        self._automaton = ahocorasick.Automaton()
        for pattern, targets in self._targets.items():
            self._automaton.add_word(pattern, (pattern, targets))
        if self._targets:
            self._automaton.make_automaton()
        SEGMENTER.add_words({p for p in self._targets if _CJK_ONLY.match(p) and 2 <= len(p) <= 4})

    def _pattern(self, word: str) -> str:
        pattern = normalize(word, self.disguises).replace(" ", "")
        self._display.setdefault(pattern, word)
        return pattern

    def _add_entry(self, index: int, entry: Entry) -> None:
        for signal_index, signal in enumerate(entry.signals):
            # Spellings that normalize alike ("屏幕共享", "共享屏幕") are one word of the signal.
            for pattern in dict.fromkeys(self._pattern(word) for word in signal.words):
                self._targets.setdefault(pattern, []).append(_Target(index, signal=signal_index))
        for combo_index, combo in enumerate(entry.combos):
            for part_index, part in enumerate(combo.parts):
                for word in dict.fromkeys(part):
                    target = _Target(index, combo=combo_index, part=part_index)
                    if word.startswith("@"):
                        self._tag_targets.setdefault(word, []).append(target)
                    else:
                        self._targets.setdefault(self._pattern(word), []).append(target)

    def found_patterns(self, text: str) -> dict[str, tuple[int, list[_Target]]]:
        """Every pattern in text with its first offset (short Chinese ones only as whole words)."""
        if not self._targets:
            return {}
        found: dict[str, tuple[int, list[_Target]]] = {}
        cuts: set[int] | None = None
        for end, (pattern, targets) in self._automaton.iter(text):
            if pattern in found:
                continue
            start = end - len(pattern) + 1
            if len(pattern) <= SHORT_PATTERN and _CJK_ONLY.match(pattern):
                cuts = SEGMENTER.boundaries(text) if cuts is None else cuts
                if start not in cuts:
                    continue
            found[pattern] = (start, targets)
        return found

    def match(self, text: str, tags: frozenset[str] = frozenset()) -> list[EntryScore]:
        """Entries touched by text (and by entity tags such as "@amount"), best score first."""
        signals: dict[int, dict[int, list[tuple[int, str]]]] = {}
        parts: dict[int, dict[int, set[int]]] = {}
        for tag in tags:
            for target in self._tag_targets.get(tag, ()):
                parts.setdefault(target.entry, {}).setdefault(target.combo, set()).add(target.part)
        for pattern, (start, targets) in self.found_patterns(text).items():
            for target in targets:
                if target.signal >= 0:
                    signals.setdefault(target.entry, {}).setdefault(target.signal, []).append((start, pattern))
                else:
                    parts.setdefault(target.entry, {}).setdefault(target.combo, set()).add(target.part)
        scores = [self._score(index, signals.get(index, {}), parts.get(index, {}))
                  for index in signals.keys()]
        return sorted(scores, key=lambda item: (-item.score, item.entry.id))

    def _score(self, index: int, signals: dict[int, list[tuple[int, str]]],
               parts: dict[int, dict[int, set[int]]]) -> EntryScore:
        entry = self.entries[index]
        result = EntryScore(entry, 0.0)
        for signal_index, spans in sorted(signals.items()):
            signal = entry.signals[signal_index]
            words = _outermost(spans)
            extra = min(EXTRA_WORDS, len(words) - 1) if signal.weight > 0 else 0
            result.score += signal.weight * (1 + EXTRA_SHARE * extra)
            if signal.weight > 0:
                result.words += [self._display.get(word, word) for word in words]
                if signal.note:
                    result.notes.append(signal.note)
        for combo_index, seen in sorted(parts.items()):
            combo = entry.combos[combo_index]
            if len(seen) == len(combo.parts):
                result.score += combo.weight
                if combo.weight > 0:
                    result.words.append("+".join(part[0].lstrip("@") for part in combo.parts))
                    if combo.note:
                        result.notes.append(combo.note)
        return result


def _outermost(spans: list[tuple[int, str]]) -> list[str]:
    """Distinct words, dropping any that lie inside a longer one found ("返佣" inside "返佣金")."""
    kept = []
    for start, word in spans:
        end = start + len(word)
        if not any(other_start <= start and end <= other_start + len(other) and (other_start, other) != (start, word)
                   for other_start, other in spans):
            kept.append(word)
    return kept
