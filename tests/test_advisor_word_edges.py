"""Short Chinese patterns count only where jieba starts or ends a word ("集中奖励" holds no 中奖).

The matcher decides this without segmenting the whole message; these tests hold its decision to
jieba's own segmentation (without HMM), on real message text.
"""

from __future__ import annotations

import json

from bot.advisor.matcher import SEGMENTER
from bot.advisor.normalize import normalize
from bot.config import PROJECT_ROOT

# Short enough that the matcher's window around a pattern covers the whole text.
PIECE = 2 * SEGMENTER.WINDOW + 2


def _jieba_boundaries(text: str) -> set[int]:
    boundaries, offset = {0}, 0
    for word in SEGMENTER._tokenizer.cut(text, HMM=False):
        offset += len(word)
        boundaries.add(offset)
    return boundaries


def _pieces() -> list[str]:
    pieces = []
    for path in sorted((PROJECT_ROOT / "tests" / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = normalize(json.loads(line)["text"])
            pieces += [text[start:start + PIECE] for start in range(0, len(text), PIECE)]
    return pieces


def _inside_chinese(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and all("\u4e00" <= char <= "\u9fd5" for char in text[start - 1:end + 1])


def test_a_short_pattern_inside_two_other_words_is_not_at_a_word_edge() -> None:
    assert not SEGMENTER.at_word_edge("部门经理说集中奖励", 6, 8)  # 集中/奖励


def test_a_short_pattern_that_ends_a_word_is_at_a_word_edge() -> None:
    assert SEGMENTER.at_word_edge("部门经理说集中奖励", 2, 4)  # 部门/经理


def test_every_two_character_span_agrees_with_jieba() -> None:
    SEGMENTER.add_words(set())
    checked, disagreements = 0, []
    for piece in _pieces():
        boundaries = _jieba_boundaries(piece)
        for start in range(1, len(piece) - 2):
            end = start + 2
            if not _inside_chinese(piece, start, end):
                continue
            checked += 1
            expected = start in boundaries or end in boundaries
            if SEGMENTER.at_word_edge(piece, start, end) != expected:
                disagreements.append((piece, piece[start:end], expected))
    assert checked > 5000
    assert disagreements == []
