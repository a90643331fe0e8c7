"""The case report flow (报案 / 举报): the 110 desk's case elements, one question at a time.

Every question can be skipped (跳过); the flow can be cancelled (取消), is put aside when the
resident leaves it, and offers to resume the draft when they come back.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from bot.advisor import entities as found
from bot.dialogue import register
from bot.dialogue.common import SKIP_WORDS, has_words, is_click, plain, say
from bot.dialogue.flowstate import draft
from bot.dialogue.model import Context, Inbound, Outcome, Reply
from bot.timeutil import LOCAL_TZ

MENU_KEY = "MENU_REPORT"
START_WORDS = {"报案", "举报", "我要报案", "我要举报", "我想报案", "我想举报", "被骗了要报案", "登记案件"}
STAGES = ("what", "when", "contact", "loss", "scammer", "callback")
FREE_TEXT_STAGES = ("what", "when", "contact")     # any words answer these
DONE_WORDS = {"好了", "没有了", "没了", "没有", "就这些", "完了", "完成", "发完了", "无", "结束了"}
# "没有", "没转账", "没有损失", "无", "0", "不": no money went.
_NO_LOSS = re.compile(r"^(?:没|無|无|未|不|否|0(?:元|块)?$)")
RESUME_WORDS = {"1", "继续", "接着", "接着填", "继续填"}
RESTART_WORDS = {"2", "重新", "重来", "重新开始", "重新填"}
_TOTAL = re.compile("一共|总共|合计|总计|共计")


@dataclass(frozen=True)
class SaveCase:
    """Effect: store a finished report under its reference number."""
    ref: str
    openid: str
    fields: dict[str, Any] = field(default_factory=dict)


def empty_draft() -> dict[str, Any]:
    return {"stage": "what", "answers": {}, "phones": [], "cards": [], "accounts": [], "links": []}


class ReportFlow:
    name = "report"
    resumable = True

    def starts(self, inbound: Inbound, ctx: Context) -> bool:
        return is_click(inbound, MENU_KEY) or self.called(inbound)

    def called(self, inbound: Inbound) -> bool:
        return has_words(inbound) and plain(inbound.text) in START_WORDS

    def start(self, inbound: Inbound, ctx: Context) -> Outcome:
        kept = draft(ctx.state, self.name)
        if kept and (kept.get("answers") or _has_numbers(kept)):
            state = {"flow": self.name, "stage": "resume", "draft": kept}
            return Outcome(reply=Reply(say(ctx, "report_resume", done=_summary(ctx, kept))), state=state)
        return _ask(inbound, ctx, {"flow": self.name, **empty_draft()}, intro=True)

    def step(self, inbound: Inbound, ctx: Context) -> Outcome:
        state = dict(ctx.state)
        if state.get("stage") == "resume":
            return _resume(inbound, ctx, state)
        if not has_words(inbound):
            return _ask(inbound, ctx, state, prefix=say(ctx, "report_words_please"))
        return _answer(inbound, ctx, state)

    def interrupts(self, analysis: Any, ctx: Context) -> bool:
        """Describing the scam is the point here: only money moving now interrupts, and not as
        the answer to the loss question (which gets its own call-110 line and goes on)."""
        return bool(analysis.urgent) and ctx.state.get("stage") != "loss"

    def put_aside(self, inbound: Inbound | None, ctx: Context) -> dict[str, Any]:
        """The draft to keep; with the message that cut the flow short recorded as an answer."""
        state = dict(ctx.state)
        if state.get("stage") == "resume":
            return state["draft"]
        if inbound is not None and has_words(inbound) and state.get("stage") in FREE_TEXT_STAGES:
            state = record(state, inbound.text)
        return {key: value for key, value in state.items() if key != "flow"}


def _resume(inbound: Inbound, ctx: Context, state: dict[str, Any]) -> Outcome:
    word = plain(inbound.text) if has_words(inbound) else ""
    if word in RESUME_WORDS:
        return _ask(inbound, ctx, {"flow": "report", **state["draft"]})
    if word in RESTART_WORDS:
        return _ask(inbound, ctx, {"flow": "report", **empty_draft()}, intro=True)
    return Outcome(reply=Reply(say(ctx, "report_resume_unclear")), state=state)


def _answer(inbound: Inbound, ctx: Context, state: dict[str, Any]) -> Outcome:
    stage, text = state["stage"], inbound.text
    if stage == "scammer" and plain(text) not in DONE_WORDS | SKIP_WORDS:
        state = _add_numbers(state, text)
        return Outcome(reply=Reply(say(ctx, "report_scammer_more", got=_numbers_line(ctx, text))),
                       state=state)
    if stage == "callback" and plain(text) not in SKIP_WORDS and not found.extract(text).phones:
        return _ask(inbound, ctx, state, prefix=say(ctx, "report_callback_unclear"))
    state = record(state, text)
    lost_now = stage == "loss" and state["answers"].get("loss", {}).get("lost")
    return _ask(inbound, ctx, state, prefix=say(ctx, "report_loss_call_110") if lost_now else "")


def record(state: dict[str, Any], text: str) -> dict[str, Any]:
    """Record an answer to the current question and move to the next one."""
    stage = state["stage"]
    state = {**state, "answers": dict(state["answers"])}
    if plain(text) not in SKIP_WORDS and stage != "scammer":
        state["answers"][stage] = _value(stage, text)
    state["stage"] = STAGES[STAGES.index(stage) + 1] if stage != STAGES[-1] else "done"
    return state


def _value(stage: str, text: str) -> Any:
    if stage == "loss":
        return loss_of(text)
    if stage == "callback":
        phones = found.extract(text).phones
        return phones[0].value if phones else ""
    return text.strip()[:500]


def loss_of(text: str) -> dict[str, Any]:
    """Whether money was lost and how much, from a free answer ("没有", "转了3万", "一共五千元")."""
    amounts = [float(entity.value) for entity in found.extract(text).amounts]
    if amounts:
        total = max(amounts) if _TOTAL.search(text) else sum(amounts)
        return {"lost": True, "amount": total, "text": text.strip()[:200]}
    return {"lost": _NO_LOSS.match(plain(text)) is None, "amount": None, "text": text.strip()[:200]}


def _add_numbers(state: dict[str, Any], text: str) -> dict[str, Any]:
    got = found.extract(text)
    state = {**state}
    for key, values in _numbers_of(got).items():
        state[key] = list(dict.fromkeys([*state[key], *values]))
    state["scammer_text"] = (state.get("scammer_text", "") + "\n" + text.strip()).strip()[:2000]
    return state


def _numbers_of(got: Any) -> dict[str, list[str]]:
    return {"phones": [e.value for e in got.phones], "cards": [e.value for e in got.cards],
            "accounts": [f"{e.kind}:{e.value}" for e in got.accounts],
            "links": [e.value for e in got.urls]}


def _has_numbers(kept: dict[str, Any]) -> bool:
    return any(kept.get(key) for key in ("phones", "cards", "accounts", "links"))


def _numbers_line(ctx: Context, text: str) -> str:
    numbers = _numbers_of(found.extract(text))
    parts = [f"{say(ctx, 'report_label_' + key)} {'、'.join(v.split(':')[-1] for v in values)}"
             for key, values in numbers.items() if values]
    return "；".join(parts) if parts else say(ctx, "report_scammer_text_kept")


def _ask(inbound: Inbound, ctx: Context, state: dict[str, Any], intro: bool = False,
         prefix: str = "") -> Outcome:
    """Ask the current question, or finish when every question has been answered or skipped."""
    if state["stage"] == "done":
        return finish(inbound.openid, ctx, state)
    question = say(ctx, f"report_q_{state['stage']}")
    number = STAGES.index(state["stage"]) + 1
    text = "\n\n".join(filter(None, (prefix, say(ctx, "report_intro") if intro else "",
                                     f"（{number}/{len(STAGES)}）{question}")))
    return Outcome(reply=Reply(text), state=state)


def finish(openid: str, ctx: Context, state: dict[str, Any]) -> Outcome:
    """The reference number, what happens next, and the effect that stores the report."""
    ref = case_ref(ctx, state)
    fields = case_fields(ctx, state)
    steps = {True: "report_next_loss", False: "report_next_no_loss"}.get(fields["lost"], "report_next_unknown")
    reply = "\n\n".join((say(ctx, "report_done", ref=ref), say(ctx, steps)))
    return Outcome(reply=Reply(reply), state=None, effects=[SaveCase(ref, openid, fields)],
                   verdict={"case_ref": ref, "case_lost": fields["lost"]})


def case_fields(ctx: Context, state: dict[str, Any]) -> dict[str, Any]:
    answers = state["answers"]
    loss = answers.get("loss") or {}
    return {"what": answers.get("what", ""), "happened": answers.get("when", ""),
            "contact_method": _contact(ctx, answers.get("contact", "")),
            "loss_text": loss.get("text", ""), "loss_amount": loss.get("amount"), "lost": loss.get("lost"),
            "phones": state["phones"], "cards": state["cards"], "accounts": state["accounts"],
            "links": state["links"], "scammer_text": state.get("scammer_text", ""),
            "callback_phone": answers.get("callback", "")}


def _contact(ctx: Context, answer: str) -> str:
    """A numbered choice as its name (report_contact_1 … in knowledge/), else the words given."""
    return ctx.texts.get(f"report_contact_{plain(answer)}", answer) if answer else ""


def case_ref(ctx: Context, state: dict[str, Any]) -> str:
    """FZ + the local date + six digits drawn from the report; the database keeps it unique."""
    seed = f"{ctx.now.isoformat()}|{state}".encode("utf-8")
    digits = int(hashlib.sha256(seed).hexdigest(), 16) % 1_000_000
    return f"FZ{ctx.now.astimezone(LOCAL_TZ):%y%m%d}{digits:06d}"


def _summary(ctx: Context, kept: dict[str, Any]) -> str:
    done = [say(ctx, f"report_label_{stage}") for stage in STAGES if stage in kept.get("answers", {})]
    if _has_numbers(kept):
        done.append(say(ctx, "report_label_scammer"))
    return "、".join(done) or say(ctx, "report_label_nothing")


register(ReportFlow())
