"""The dialogue: turns one inbound message into an outcome. Pure given its inputs.

Multi-step conversations (reporting a case, the quiz, alert settings, ...) are flows:
objects with `name`, `starts(inbound, ctx)`, `start(inbound, ctx)` and `step(inbound, ctx)`.
A flow keeps its progress in the returned `Outcome.state` ({"flow": name, ...}); the edge
persists it and hands it back as `ctx.state` on the resident's next message.

The router around the flows keeps residents in charge:
- a menu tap or 帮助 leaves any flow; 取消 ends it;
- a flow the resident left alone longer than `ctx.flow_timeout` ends;
- a message that describes a scam happening now gets the emergency advice first.
A flow left this way is put aside when it is `resumable` (its draft waits under
state["aside"]) and the resident gets a short note saying so. Optional flow members:
- `resumable: bool`;
- `called(inbound) -> bool`: its command word, which leaves another flow for this one;
- `interrupts(analysis, ctx) -> bool`: whether emergency advice cuts in (default: urgent or high risk);
- `put_aside(inbound | None, ctx) -> dict`: the draft to keep (default: the flow's progress).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot.dialogue import flowstate
from bot.dialogue.common import (CANCEL_WORDS, HELP_WORDS, MEDIA_TYPES, SILENT_EVENTS,  # noqa: F401
                                 advise, answer_alone, has_words, is_click, is_silent_event,
                                 is_word, join, say, text_reply, verdict_of)
from bot.dialogue.model import Context, Inbound, Outcome, Reply


class Flow(Protocol):
    name: str

    def starts(self, inbound: Inbound, ctx: Context) -> bool: ...

    def start(self, inbound: Inbound, ctx: Context) -> Outcome: ...

    def step(self, inbound: Inbound, ctx: Context) -> Outcome: ...


# Flows in the order they are asked whether a message starts them.
FLOWS: list[Flow] = []


@dataclass
class _Turn:
    """One turn's working state: the context as the router changed it, notes to append."""
    ctx: Context
    notes: dict[str, str] = field(default_factory=dict)   # flow name -> note for the resident
    ran: str | None = None                                 # the flow that answered

    def leave(self, flow: Flow, reason: str, inbound: Inbound | None = None) -> None:
        """Put the active flow aside (or end it) and remember a note that says so."""
        resumable = bool(getattr(flow, "resumable", False))
        draft = _draft(flow, inbound, self.ctx) if resumable else None
        state = flowstate.leave(self.ctx.state, flow.name, draft, self.ctx.now)
        self.ctx = replace(self.ctx, state=state)
        self.notes[flow.name] = _note(self.ctx, flow.name, reason, resumable)


def respond(inbound: Inbound, ctx: Context) -> Outcome:
    """Continue the resident's flow, start one, or answer the message on its own."""
    turn = _Turn(ctx)
    expired = _active_flow(ctx) if flowstate.expired(ctx.state, ctx.now, ctx.flow_timeout) else None
    if expired is not None:
        turn.leave(expired, "timeout")
    _tidy(turn)
    outcome = _route(inbound, turn)
    return _finish(outcome, turn)


def _tidy(turn: _Turn) -> None:
    """Forget old drafts, and a flow that no longer exists."""
    state = flowstate.drop_stale(turn.ctx.state, turn.ctx.now)
    name = flowstate.active_name(state)
    if name and _active_flow(replace(turn.ctx, state=state)) is None:
        state = flowstate.forget(state, name)
    turn.ctx = replace(turn.ctx, state=state)


def _route(inbound: Inbound, turn: _Turn) -> Outcome:
    active = _active_flow(turn.ctx)
    if active is None:
        return _fresh(inbound, turn)
    if is_click(inbound) or is_word(inbound, HELP_WORDS):
        turn.leave(active, "left")
        return _fresh(inbound, turn)
    if is_word(inbound, CANCEL_WORDS):
        return _cancel(active, turn)
    if _calls_another(active, inbound, turn.ctx):
        turn.leave(active, "left")
        return _fresh(inbound, turn)
    if has_words(inbound):
        urgent = _urgent_advice(active, inbound, turn)
        if urgent is not None:
            return urgent
    if is_silent_event(inbound):
        return Outcome(reply=None)
    turn.ran = active.name
    return active.step(inbound, turn.ctx)


def _fresh(inbound: Inbound, turn: _Turn) -> Outcome:
    """No flow is active: start one, or answer the message on its own."""
    ctx = turn.ctx
    for flow in FLOWS:
        if flow.starts(inbound, ctx):
            turn.ran = flow.name
            return flow.start(inbound, ctx)
    if is_word(inbound, CANCEL_WORDS):
        return _cancel_drafts(turn)
    if is_word(inbound, HELP_WORDS):
        return text_reply(ctx, "help")
    return answer_alone(inbound, ctx)


def _calls_another(active: Flow, inbound: Inbound, ctx: Context) -> bool:
    """The resident typed another flow's command word (举报, 测一测, ...) mid-flow."""
    return any(getattr(flow, "called", None) is not None and flow.called(inbound)
               for flow in FLOWS if flow.name != active.name)


def _urgent_advice(active: Flow, inbound: Inbound, turn: _Turn) -> Outcome | None:
    """Emergency advice first when the message describes a scam happening now."""
    analysis = turn.ctx.advisor.analyze(inbound.text)
    interrupts = getattr(active, "interrupts", None) or _interrupts_by_default
    if not interrupts(analysis, turn.ctx):
        return None
    turn.leave(active, "urgent", inbound)
    return Outcome(reply=Reply(analysis.reply), verdict=verdict_of(analysis))


def _interrupts_by_default(analysis: Any, _ctx: Context) -> bool:
    return bool(analysis.urgent) or analysis.risk == "high"


def _cancel(active: Flow, turn: _Turn) -> Outcome:
    turn.ctx = replace(turn.ctx, state=flowstate.forget(turn.ctx.state, active.name))
    turn.ran = active.name
    return text_reply(turn.ctx, "flow_cancelled", title=_title(turn.ctx, active.name))


def _cancel_drafts(turn: _Turn) -> Outcome:
    """取消 with no flow going: drop drafts put aside, if any."""
    names = flowstate.aside_names(turn.ctx.state)
    if not names:
        return text_reply(turn.ctx, "nothing_to_cancel")
    state = turn.ctx.state
    for name in names:
        state = flowstate.forget(state, name)
    turn.ctx = replace(turn.ctx, state=state)
    return text_reply(turn.ctx, "flow_cancelled", title=_title(turn.ctx, names[0]))


def _finish(outcome: Outcome, turn: _Turn) -> Outcome:
    """Attach the notes for flows left this turn and the state to keep."""
    notes = [note for name, note in turn.notes.items() if name != turn.ran]
    if notes:
        first = [outcome.reply.content] if outcome.reply is not None else []
        outcome.reply = Reply(join(*first, *notes))
    outcome.state = flowstate.merge(turn.ctx.state, outcome.state, turn.ran, turn.ctx.now)
    if turn.ran is not None:
        outcome.verdict = {**outcome.verdict, "flow": turn.ran}   # statistics tell answers from questions
    return outcome


def _active_flow(ctx: Context) -> Flow | None:
    name = flowstate.active_name(ctx.state)
    return next((flow for flow in FLOWS if flow.name == name), None)


def _draft(flow: Flow, inbound: Inbound | None, ctx: Context) -> dict[str, Any]:
    keep = getattr(flow, "put_aside", None)
    if keep is not None:
        return keep(inbound, ctx)
    return flowstate.progress(ctx.state)


def _title(ctx: Context, name: str) -> str:
    return ctx.texts.get(f"flow_title_{name}") or ctx.texts["flow_title"]


def _note(ctx: Context, name: str, reason: str, resumable: bool) -> str:
    key = f"flow_{reason}_resumable" if resumable else f"flow_{reason}"
    resume = ctx.texts.get(f"flow_resume_{name}", "")
    return say(ctx, key, title=_title(ctx, name), resume=resume)


def register(flow: Flow) -> None:
    """Add a flow once (re-imports do not add it twice)."""
    if all(existing.name != flow.name for existing in FLOWS):
        FLOWS.append(flow)


from bot.dialogue import checks, quiz, report, subscription  # noqa: E402  (flows register themselves)

__all__ = ["FLOWS", "Flow", "respond", "answer_alone", "advise", "text_reply", "register",
           "checks", "quiz", "report"]
