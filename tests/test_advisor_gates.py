"""A cue pattern is skipped only when none of the characters a match could start with is present."""

from __future__ import annotations

import json
import re

import pytest

from bot.advisor import context, urgency
from bot.advisor.gates import GatedList, GatedPattern, alternatives, openings
from bot.advisor.normalize import normalize
from bot.config import PROJECT_ROOT


@pytest.mark.parametrize("pattern, expected", [
    ("(?:转|汇)了", {"转", "汇"}),
    ("(?:已经|刚)转", {"已", "刚"}),
    ("(?<![给向])我说了", {"我"}),
    ("(?:我)?填了", {"我", "填"}),
    ("[a-c]x", {"a", "b", "c"}),
    ("稳赚|百分百", {"稳", "百"}),
])
def test_first_characters_of_a_pattern(pattern: str, expected: set[str]) -> None:
    assert openings(re.compile(pattern), 1) == expected


@pytest.mark.parametrize("pattern", [".{0,3}转", "[^我]说", "x*", "(?:a|)", r"\d元", "(?i)qq"])
def test_a_pattern_that_may_start_anywhere_has_no_gate(pattern: str) -> None:
    assert openings(re.compile(pattern), 1) is None


def _messages() -> list[str]:
    texts = []
    for path in sorted((PROJECT_ROOT / "tests" / "eval").glob("*.jsonl")):
        texts += [normalize(json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").splitlines()]
    return texts


def test_no_cue_pattern_is_skipped_on_a_message_it_matches() -> None:
    patterns = ([pattern for pattern, _kind in urgency._PATTERNS] + [pattern for pattern, *_ in context._TACTICS]
                + [pattern for pattern, _kind in context._PATTERNS])
    skipped = matched = 0
    for text in _messages():
        for pattern in patterns:
            found = pattern.regex.search(text) is not None
            matched += found
            if not pattern.may_match(text):
                skipped += 1
                assert not found, (pattern.regex.pattern, text)
    assert matched > 500 and skipped > 10 * matched  # the gate does skip, and the patterns do match


def test_a_gated_list_opens_exactly_the_patterns_whose_openings_a_message_holds() -> None:
    for gated in (urgency._GATES, context._TACTIC_GATES):
        for text in _messages()[:400]:
            expected = [place for place, pattern in enumerate(gated.patterns) if pattern.may_match(text)]
            assert gated.open_in(text) == expected


def test_a_pattern_that_may_start_anywhere_is_gated_by_a_part_every_match_holds() -> None:
    counter = GatedPattern(r"(?:在|去|到)[^,。]{0,8}?柜台(?:办|问)")
    assert counter.openings == {"柜台"}
    assert counter.may_match("我去建行柜台办了张卡") and counter.regex.search("我去建行柜台办了张卡")
    assert not counter.may_match("我在家里")
    assert GatedPattern(r".{0,3}转了").may_match("他刚转了") and not GatedPattern(r".{0,3}转了").may_match("你好")


def test_a_pattern_with_no_part_to_gate_on_is_never_skipped() -> None:
    assert GatedPattern(r".{0,3}\w").may_match("你好")
    assert not GatedPattern(r"(?:转|汇)了").may_match("你好")
    assert GatedList([GatedPattern(r".{0,3}\w"), GatedPattern(r"(?:转|汇)了")]).open_in("你好") == [0]


@pytest.mark.parametrize("pattern, expected", [
    ("(?:我|都|也)填了", {"我填", "都填", "也填"}),
    ("(?:现在|正)(?:就)?在银行", {"现在", "正就", "正在"}),
    ("正在.{0,16}?转", {"正在"}),
    ("(?:刚|刚才)转", {"刚转", "刚才"}),
])
def test_two_character_openings_of_a_pattern(pattern: str, expected: set[str]) -> None:
    assert openings(re.compile(pattern), 2) == expected


@pytest.mark.parametrize("pattern", ["转.{0,3}了", "(?:转|汇)", "[^我]说了"])
def test_openings_that_cannot_be_listed(pattern: str) -> None:
    assert openings(re.compile(pattern), 2) is None


def test_alternatives_split_only_at_the_top_level() -> None:
    assert alternatives(r"a|b(c|d)|[x|y]z|\|q") == ["a", "b(c|d)", "[x|y]z", r"\|q"]
    assert alternatives("正在转") == ["正在转"]


def test_a_later_required_part_is_a_second_gate() -> None:
    pattern = GatedPattern(r"(?:两|三)次(?:共|一共)")
    assert pattern.inner == {"次共", "次一"}
    assert not pattern.may_match("试了两次") and pattern.may_match("转了两次共三千")
    gated = GatedList([pattern, GatedPattern(r"(?:转|汇)了")])
    assert gated.open_in("试了两次") == [] and gated.open_in("转了两次一共三千") == [0, 1]
