"""Regular expressions with a gate: the characters any match must start with.

The advisor runs a few dozen cue patterns over every message, and most of them cannot match it.
A pattern whose possible first characters are all absent from the message is skipped without
running the regex engine; the answer is the same, only sooner.
"""

from __future__ import annotations

import re
# The standard library's own pattern parser and its opcodes (stable within Python 3.11).
from re import _constants as sre
from re import _parser

# A character class wider than this (a range such as [a-z] is fine) is not worth listing.
MAX_CLASS = 512


class _AnyCharacter:
    """The gate of a pattern that may start with any character: it never keeps the pattern out."""

    __slots__ = ()

    def isdisjoint(self, _chars) -> bool:
        return False


ANY_CHARACTER = _AnyCharacter()


class GatedPattern:
    """A compiled pattern and its gate: the characters a match can start with.

    Hot loops test `pattern.gate.isdisjoint(chars)` inline and skip the pattern when it is true.
    """

    __slots__ = ("regex", "gate")

    def __init__(self, pattern: str):
        self.regex = re.compile(pattern)
        self.gate = first_characters(self.regex) or ANY_CHARACTER

    def may_match(self, chars: set[str] | frozenset[str]) -> bool:
        """False only when no match can exist in a text made of these characters."""
        return not self.gate.isdisjoint(chars)


def first_characters(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of regex starts with, or None when that cannot be told
    (the pattern may start with any character, or may match the empty string)."""
    if regex.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    chars, nullable = _first(_parser.parse(regex.pattern, regex.flags))
    if chars is None or nullable:
        return None
    return frozenset(chars)


def _first(items) -> tuple[set[str] | None, bool]:
    """(first characters, may this sequence match empty) of a parsed sequence."""
    found: set[str] = set()
    for op, arg in items:
        chars, nullable = _first_of_item(op, arg)
        if chars is None:
            return None, False
        found |= chars
        if not nullable:
            return found, False
    return found, True


def _first_of_item(op, arg) -> tuple[set[str] | None, bool]:
    if op is sre.LITERAL:
        return {chr(arg)}, False
    if op is sre.IN:
        return _class(arg), False
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return set(), True  # zero-width: the match's first character comes after it
    if op is sre.SUBPATTERN:
        return _first(arg[-1])
    if op is sre.BRANCH:
        found: set[str] = set()
        any_nullable = False
        for branch in arg[1]:
            chars, nullable = _first(branch)
            if chars is None:
                return None, False
            found |= chars
            any_nullable = any_nullable or nullable
        return found, any_nullable
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        minimum, _maximum, body = arg
        chars, nullable = _first(body)
        return chars, nullable or minimum == 0
    return None, False  # any character, a negated class, a back-reference, …


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
