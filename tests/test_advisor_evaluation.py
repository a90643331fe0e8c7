"""The evaluation script reports the figures and fails below the bars."""

from __future__ import annotations

import pytest

from bot.advisor import Analysis
from tests import evaluation

MESSAGES = [
    {"text": "刷单", "category": "刷单返利", "urgent": False},
    {"text": "我转了钱", "category": "冒充公检法及政府机关", "urgent": True},
    {"text": "你好", "category": None, "urgent": False},
]


class Always:
    """An advisor that gives the same verdict to every message."""

    def __init__(self, is_scam: bool, category: str | None, urgent: bool):
        self.verdict = (is_scam, category, urgent)

    def analyze(self, _text: str) -> Analysis:
        is_scam, category, urgent = self.verdict
        return Analysis(is_scam=is_scam, category=category, risk="high" if is_scam else "none", urgent=urgent)


def test_an_advisor_that_never_warns_fails_detection_and_urgency() -> None:
    report = evaluation.evaluate(Always(False, None, False), MESSAGES)
    assert report.figures()["detection rate"] == 0.0
    assert {"category accuracy", "detection rate", "urgency recall"} <= set(report.failures())
    assert "false-alarm rate" not in report.failures()


def test_an_advisor_that_always_warns_fails_false_alarms() -> None:
    report = evaluation.evaluate(Always(True, "刷单返利", True), MESSAGES)
    figures = report.figures()
    assert figures["false-alarm rate"] == 1.0 and figures["category accuracy"] == 0.5
    assert "false-alarm rate" in report.failures()


def test_bundled_evaluation_set_is_labelled_with_canonical_categories() -> None:
    messages = evaluation.load_messages()
    assert len(messages) >= 300
    assert sum(item["category"] is None for item in messages) >= 100
    assert all(isinstance(item["urgent"], bool) for item in messages)


def test_main_exits_zero_on_the_bundled_knowledge(capsys) -> None:
    assert evaluation.main([]) == 0
    assert "false-alarm rate" in capsys.readouterr().out


def test_one_set_can_be_scored_on_its_own(capsys) -> None:
    path = evaluation.EVAL_DIR / "independent_38.jsonl"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(evaluation.load_messages(files=[path])) == len(lines)
    evaluation.main([str(path)])
    benign = sum(1 for line in lines if '"category": null' in line)
    assert f"{len(lines) - benign} scams, {benign} benign" in capsys.readouterr().out


@pytest.mark.parametrize("content, problem", [
    ("not json\n", "bad.jsonl:1: not JSON"),
    ('{"text": "你好"}\n', "bad.jsonl:1: a labelled message needs category, text, urgent"),
])
def test_a_broken_set_is_named_by_file_and_line(tmp_path, capsys, content: str, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        evaluation.main([str(path)])
    assert exit_.value.code == 2 and problem in capsys.readouterr().err
