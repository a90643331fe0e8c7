"""Regular expressions with gates: the openings any match must start with.

The advisor runs a few dozen cue patterns over every message, and most of them cannot match it.
Each pattern's openings (the two characters a match starts with, or the first one where two
cannot be listed) are read from the pattern itself, and so is a second gate: the two characters
a later, required part of every match starts with ("次共" in "(?:两|三)次(?:共|一共)"). A
`GatedList` finds, in one pass of a multi-pattern automaton over the message, which patterns have
both in it; only those run. The answer is the same, only sooner.
"""

from __future__ import annotations

import re
# The standard library's own pattern parser and its opcodes (stable within Python 3.11).
from re import _constants as sre  # type: ignore
from re import _parser  # type: ignore

import ahocorasick

# A character class wider than this (a range such as [a-z] is fine) is not worth listing,
# nor more openings than MAX_OPENINGS.
MAX_CLASS = 512
MAX_OPENINGS = 512


class GatedPattern:
    """A compiled pattern and its openings (None: it may start anywhere, so it always runs)."""

    __slots__ = ("regex", "openings", "inner")

    def __init__(self, pattern: str):
        self.regex = re.compile(pattern)
        self.openings = openings(self.regex, 2) or inner_openings(self.regex) or branch_openings(self.regex)
        self.inner = inner_openings(self.regex, besides=self.openings)

    def may_match(self, text: str) -> bool:
        """False only when no match can exist in text."""
        return all(gate is None or any(opening in text for opening in gate) for gate in (self.openings, self.inner))


class GatedList:
    """Patterns in order, and one automaton of all their gates. Each gate string is marked with the
    patterns it opens, one bit each: bit `place` for a pattern's openings and bit `place + len(patterns)`
    for its inner part, so one integer collects both as the automaton runs."""

    def __init__(self, patterns: list[GatedPattern]):
        self.patterns = patterns
        self._shift = len(patterns)
        self._all = (1 << len(patterns)) - 1
        self._always = 0  # patterns without openings
        self._no_inner = 0  # patterns without an inner part
        opened: dict[str, int] = {}
        for place, pattern in enumerate(patterns):
            if pattern.openings is None:
                self._always |= 1 << place
            else:
                _mark(opened, pattern.openings, 1 << place)
            if pattern.inner is None:
                self._no_inner |= 1 << place
            else:
                _mark(opened, pattern.inner, 1 << (place + self._shift))
        self._automaton = ahocorasick.Automaton()
        for opening, bits in opened.items():
            self._automaton.add_word(opening, bits)
        if opened:
            self._automaton.make_automaton()
        self._any_openings = bool(opened)

    def open_in(self, text: str) -> list[int]:
        """The places of the patterns that may match text, in order."""
        found = 0
        if self._any_openings:
            for _end, bits in self._automaton.iter(text):
                found |= bits
        mask = (found | self._always) & ((found >> self._shift) | self._no_inner) & self._all
        places = []
        while mask:
            lowest = mask & -mask
            places.append(lowest.bit_length() - 1)
            mask ^= lowest
        return places


def _mark(opened: dict[str, int], gate: frozenset[str], bit: int) -> None:
    for opening in gate:
        opened[opening] = opened.get(opening, 0) | bit


def gated_alternatives(groups) -> tuple[list[tuple[GatedPattern, str]], GatedList]:
    """(pattern, kind) for each top-level alternative of each pattern of each (kind, patterns) group,
    and their gated list: where only whether some alternative matches counts, each is gated and
    searched on its own."""
    patterns = [(GatedPattern(alternative), kind) for kind, group in groups
                for pattern in group for alternative in alternatives(pattern)]
    return patterns, GatedList([pattern for pattern, _kind in patterns])


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern ("a|b(c|d)" gives "a" and "b(c|d)"), each to be gated on
    its own openings: a match of the whole is a match of one of them."""
    parts, depth, start, escaped, in_class = [], 0, 0, False, False
    for place, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:place])
            start = place + 1
    parts.append(pattern[start:])
    return parts


def openings(regex: re.Pattern[str], size: int) -> frozenset[str] | None:
    """The strings of `size` characters every match of regex starts with, or None when they cannot
    be listed (a match may be shorter, or start with any character, or there are too many)."""
    parsed = _parse(regex)
    found = None if parsed is None else _sequence(parsed, {""}, size)
    if found is None or any(len(start) < size for start in found):
        return None
    return frozenset(found)


def inner_openings(regex: re.Pattern[str], besides: frozenset[str] | None = None) -> frozenset[str] | None:
    """The two characters a later, required part of a pattern starts with: for a pattern that may start
    almost anywhere ("(?:在|去|到)[^,。]{0,8}?柜台"), or as a second gate next to its openings (`besides`,
    then only parts after the first count, and not the same openings again). Every match holds a match
    of each required part, so a message without any of them cannot match. The part with the fewest
    such openings is used."""
    parsed = _parse(regex)
    if parsed is None:
        return None
    best: set[str] | None = None
    for place, (op, arg) in enumerate(parsed):
        if besides is not None and place == 0:
            continue
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT, sre.BRANCH) or (
                op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and arg[0] == 0):
            continue  # zero-width, optional, or (at the top) alternatives: no single required part
        starts = _sequence(parsed[place:], {""}, 2)
        if (starts is not None and all(len(start) == 2 for start in starts) and starts != besides
                and (best is None or len(starts) < len(best))):
            best = starts
    return frozenset(best) if best else None


def branch_openings(regex: re.Pattern[str]) -> frozenset[str] | None:
    """Openings of a pattern whose top-level alternatives do not all give two characters: two for each
    alternative that can, one for the others (a single one-character alternative would otherwise
    open the whole pattern on its first character alone)."""
    parsed = _parse(regex)
    if parsed is None:
        return None
    branches = parsed[0][1][1] if len(parsed) == 1 and parsed[0][0] is sre.BRANCH else [parsed]
    found: set[str] = set()
    for branch in branches:
        for size in (2, 1):
            starts = _sequence(branch, {""}, size)
            if starts is not None and all(len(start) == size for start in starts):
                found |= starts
                break
        else:
            return None
    return frozenset(found) if len(found) <= MAX_OPENINGS else None


def _parse(regex: re.Pattern[str]) -> list | None:
    """The top-level items of a pattern, or None for flags that change what its characters match."""
    if regex.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    return list(_parser.parse(regex.pattern, regex.flags))


def _sequence(items, starts: set[str], size: int) -> set[str] | None:
    """Each start (a string shorter than size) extended by what the parsed sequence can match, up to size."""
    current = set(starts)
    for op, arg in items:
        if all(len(start) >= size for start in current):
            break
        step = _item(op, arg, current, size)
        if step is None or len(step) > MAX_OPENINGS:
            return None
        current = step
    return current


def _item(op, arg, starts: set[str], size: int) -> set[str] | None:
    done = {start for start in starts if len(start) >= size}
    open_starts = starts - done
    if op is sre.LITERAL:
        return done | {start + chr(arg) for start in open_starts}
    if op is sre.IN:
        chars = _class(arg)
        return None if chars is None else done | {start + char for start in open_starts for char in chars}
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return starts  # zero-width: what follows supplies the characters
    if op is sre.SUBPATTERN:
        inner = _sequence(arg[-1], open_starts, size)
        return None if inner is None else done | inner
    if op is sre.BRANCH:
        found = set(done)
        for branch in arg[1]:
            inner = _sequence(branch, open_starts, size)
            if inner is None:
                return None
            found |= inner
        return found
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return _repeat(arg, open_starts, size, done)
    return None  # any character, a negated class, a back-reference, …


def _repeat(arg, open_starts: set[str], size: int, done: set[str]) -> set[str] | None:
    """A repeated body: zero or more repetitions as allowed; more than `size` add nothing new."""
    minimum, maximum, body = arg
    found = set(open_starts) if minimum == 0 else set()
    current = open_starts
    for count in range(1, min(maximum, max(minimum, size)) + 1):
        step = _sequence(body, current, size)
        if step is None:
            return None
        current = step
        if count >= minimum:
            found |= current
    return done | found


def _class(items) -> set[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            chars.add(chr(arg))
        elif op is sre.RANGE and arg[1] - arg[0] < MAX_CLASS:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:
            return None
    return chars
