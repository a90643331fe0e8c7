"""The awareness quiz end to end: one question a message, explanations, the score, the result stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import db as store
from bot.advisor.knowledge import CATEGORIES
from bot.db import cases
from bot.dialogue import content
from bot.dialogue.quiz import choice

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def current_question(config, openid):
    with store.connect(config["storage"]["database"]) as db:
        state = cases.load_state(db, openid)
    quiz = content.load_quiz(KNOWLEDGE / "quiz.toml")
    return quiz.question(state["ids"][state["at_question"]])


def test_the_bundled_quiz_is_valid_and_true_to_the_categories():
    quiz = content.load_quiz(KNOWLEDGE / "quiz.toml")
    assert len(quiz.questions) >= 10 and quiz.pass_mark <= quiz.per_quiz
    assert len({q.answer for q in quiz.questions}) >= 3       # the right letter is not guessable
    assert {q.category for q in quiz.questions} <= set(CATEGORIES)


@pytest.mark.parametrize("text,expected", [
    ("A", "A"), ("b", "B"), ("Ｃ", "C"), ("选A", "A"), ("答案是 2", "B"), ("1。", "A"),
    ("D", None), ("4", None), ("我不知道", None), ("AB", None),
])
def test_choices_are_read_kindly(text, expected):
    assert choice(text, 3) == expected


def test_a_quiz_all_right_passes_and_is_stored(resident, config):
    reply = resident.does("CLICK", EventKey="MENU_QUIZ")
    assert "第1题（共5题）" in reply
    for number in range(2, 6):
        reply = resident.says(current_question(config, resident.openid).answer)
        assert "答对了" in reply and f"第{number}题" in reply
    reply = resident.says(current_question(config, resident.openid).answer)
    assert "答对了5题，共5题" in reply and "点赞" in reply
    with store.connect(config["storage"]["database"]) as db:
        [result] = cases.latest_quiz_results(db, "2000-01-01", "2999-01-01")
        assert cases.load_state(db, resident.openid) is None
    assert result["score"] == 5 and result["passed"] == 1


def test_wrong_answers_get_the_right_one_and_the_explanation_and_fail(resident, config):
    resident.says("测一测")
    for _ in range(5):
        question = current_question(config, resident.openid)
        wrong = next(letter for letter in "ABC" if letter != question.answer)
        reply = resident.says(wrong)
        assert f"正确答案是 {question.answer}" in reply and question.explain in reply
    assert "答对了0题，共5题" in reply and "测一测" in reply
    with store.connect(config["storage"]["database"]) as db:
        [result] = cases.latest_quiz_results(db, "2000-01-01", "2999-01-01")
    assert result["passed"] == 0


def test_an_unclear_answer_repeats_the_question(resident, config):
    resident.says("测一测")
    question = current_question(config, resident.openid)
    reply = resident.says("这个我不会")
    assert "请回复选项前面的字母" in reply and question.text in reply
    assert current_question(config, resident.openid) == question


def test_a_broken_quiz_file_is_refused_with_the_field_named(tmp_path):
    path = tmp_path / "quiz.toml"
    path.write_text('per_quiz = 1\npass_mark = 1\n[[question]]\nid = "x"\ncategory = "刷单返利"\n'
                    'text = "?"\noptions = ["a", "b"]\nanswer = "C"\nexplain = "."\n', encoding="utf-8")
    with pytest.raises(content.ContentError, match="question 1: field answer"):
        content.load_quiz(path)


def test_a_broken_edit_keeps_the_last_good_quiz(tmp_path):
    import os
    import shutil

    shutil.copy(KNOWLEDGE / "quiz.toml", tmp_path / "quiz.toml")
    cache = content.ContentCache(tmp_path)
    good = cache.quiz()
    (tmp_path / "quiz.toml").write_text("per_quiz = [", encoding="utf-8")
    os.utime(tmp_path / "quiz.toml", (1, 1))                  # a different mtime for sure
    assert cache.quiz() is good
