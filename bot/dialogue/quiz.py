"""The awareness quiz (测一测): one question a message, an explanation after each answer, the score.

Questions come from knowledge/quiz.toml (ctx.quiz). A finished quiz is stored with pass or
fail, which the awareness rate (知晓率) counts.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import register
from bot.dialogue.common import has_words, is_click, plain, say
from bot.dialogue.content import LETTERS, Question, Quiz
from bot.dialogue.model import Context, Inbound, Outcome, Reply

MENU_KEY = "MENU_QUIZ"
START_WORDS = {"测一测", "测试", "答题", "做题", "反诈测试", "反诈知识测试", "知识测试", "反诈答题", "测测", "考考我"}
# A short reply naming one option: "A", "b", "Ｂ", "选C", "答案是 2", "1."
_CHOICE = re.compile(r"^(?:我选|选择|选|答案是|答案|答)?\s*([a-d1-4])\s*(?:项|选项)?$")


@dataclass(frozen=True)
class SaveQuizResult:
    """Effect: store a finished quiz."""
    openid: str
    score: int
    total: int
    passed: bool
    answers: list[dict[str, Any]] = field(default_factory=list)


def choice(text: str, options: int) -> str | None:
    """The letter a reply picks, or None when it picks none of the options."""
    match = _CHOICE.match(plain(unicodedata.normalize("NFKC", text)))
    if match is None:
        return None
    picked = match.group(1).upper()
    letter = LETTERS[int(picked) - 1] if picked.isdigit() else picked
    return letter if letter in LETTERS[:options] else None


def pick_questions(quiz: Quiz, openid: str, ctx: Context) -> list[str]:
    """A fair draw of the round's questions, repeatable for the same resident and moment."""
    seed = hashlib.sha256(f"{openid}|{ctx.now.isoformat()}".encode()).hexdigest()
    drawn = random.Random(seed).sample(list(quiz.questions), quiz.per_quiz)
    return [question.id for question in drawn]


def question_text(ctx: Context, question: Question, number: int, total: int) -> str:
    options = "\n".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(question.options))
    return say(ctx, "quiz_question", number=number, total=total, text=question.text, options=options)


class QuizFlow:
    name = "quiz"

    def starts(self, inbound: Inbound, ctx: Context) -> bool:
        return is_click(inbound, MENU_KEY) or self.called(inbound)

    def called(self, inbound: Inbound) -> bool:
        return has_words(inbound) and plain(inbound.text) in START_WORDS

    def start(self, inbound: Inbound, ctx: Context) -> Outcome:
        quiz: Quiz = ctx.quiz
        ids = pick_questions(quiz, inbound.openid, ctx)
        state = {"flow": self.name, "ids": ids, "at_question": 0, "answers": []}
        first = question_text(ctx, quiz.question(ids[0]), 1, len(ids))
        intro = say(ctx, "quiz_intro", total=len(ids))
        return Outcome(reply=Reply(f"{intro}\n\n{first}"), state=state)

    def step(self, inbound: Inbound, ctx: Context) -> Outcome:
        state = dict(ctx.state)
        question = ctx.quiz.question(state["ids"][state["at_question"]])
        if question is None:  # the quiz file changed under a running round
            return Outcome(reply=Reply(say(ctx, "quiz_changed")), state=None)
        picked = choice(inbound.text, len(question.options)) if has_words(inbound) else None
        if picked is None:
            again = question_text(ctx, question, state["at_question"] + 1, len(state["ids"]))
            letters = "、".join(LETTERS[:len(question.options)])
            return Outcome(reply=Reply(f"{say(ctx, 'quiz_unclear', letters=letters)}\n\n{again}"), state=state)
        return _next(inbound.openid, ctx, state, question, picked)


def _next(openid: str, ctx: Context, state: dict[str, Any], question: Question, picked: str) -> Outcome:
    right = picked == question.answer
    feedback = say(ctx, "quiz_right" if right else "quiz_wrong", answer=question.answer,
                   explain=question.explain)
    answers = [*state["answers"], {"id": question.id, "picked": picked, "right": right}]
    number = state["at_question"] + 1
    if number < len(state["ids"]):
        state = {**state, "at_question": number, "answers": answers}
        following = question_text(ctx, ctx.quiz.question(state["ids"][number]), number + 1, len(state["ids"]))
        return Outcome(reply=Reply(f"{feedback}\n\n{following}"), state=state)
    return _score(openid, ctx, feedback, answers)


def _score(openid: str, ctx: Context, feedback: str, answers: list[dict[str, Any]]) -> Outcome:
    score, total = sum(1 for a in answers if a["right"]), len(answers)
    passed = score >= ctx.quiz.pass_mark
    result = say(ctx, "quiz_passed" if passed else "quiz_failed", score=score, total=total)
    return Outcome(reply=Reply(f"{feedback}\n\n{result}"), state=None,
                   effects=[SaveQuizResult(openid, score, total, passed, answers)],
                   verdict={"quiz_score": score, "quiz_total": total, "quiz_passed": passed})


register(QuizFlow())
