"""The dialogue: turns one inbound message into an outcome. Pure given its inputs.

Multi-step conversations (reporting a case, the quiz, alert settings, ...) are flows:
objects with `name`, `starts(inbound, ctx)`, `start(inbound, ctx)` and `step(inbound, ctx)`.
A flow keeps its progress in the returned `Outcome.state` ({"flow": name, ...}); the edge
persists it and hands it back as `ctx.state` on the resident's next message.
"""

from __future__ import annotations

from typing import Protocol

from bot.dialogue.model import Context, Inbound, Outcome, Reply

MEDIA_TYPES = {"image", "video", "shortvideo", "file"}
# Events WeChat sends for bookkeeping: nobody reads a reply to them.
SILENT_EVENTS = {"unsubscribe", "view", "location", "masssendjobfinish", "templatesendjobfinish",
                 "view_miniprogram"}


class Flow(Protocol):
    name: str

    def starts(self, inbound: Inbound, ctx: Context) -> bool: ...

    def start(self, inbound: Inbound, ctx: Context) -> Outcome: ...

    def step(self, inbound: Inbound, ctx: Context) -> Outcome: ...


# Flows in the order they are asked whether a message starts them.
FLOWS: list[Flow] = []


def respond(inbound: Inbound, ctx: Context) -> Outcome:
    """Continue the resident's flow, start one, or answer the message on its own."""
    active = _active_flow(ctx)
    if active is not None:
        return active.step(inbound, ctx)
    for flow in FLOWS:
        if flow.starts(inbound, ctx):
            return flow.start(inbound, ctx)
    return answer_alone(inbound, ctx)


def _active_flow(ctx: Context) -> Flow | None:
    name = (ctx.state or {}).get("flow")
    return next((flow for flow in FLOWS if flow.name == name), None)


def answer_alone(inbound: Inbound, ctx: Context) -> Outcome:
    """Route one message by its type; unknown types get a polite default, never an error."""
    if inbound.msg_type == "event":
        return _respond_to_event(inbound, ctx)
    if inbound.msg_type in ("text", "link") or (inbound.msg_type == "voice" and inbound.text):
        return advise(inbound.text, ctx)
    if inbound.msg_type == "voice":
        return text_reply(ctx, "voice_unrecognised")
    if inbound.msg_type in MEDIA_TYPES:
        return text_reply(ctx, "unsupported_media")
    if inbound.msg_type == "location":
        return text_reply(ctx, "location_ack")
    return text_reply(ctx, "default")


def advise(text: str, ctx: Context) -> Outcome:
    """Ask the advisor about a piece of text and reply with its answer."""
    analysis = ctx.advisor.analyze(text)
    verdict = {key: value for key, value in analysis.to_json().items() if key != "reply"}
    return Outcome(reply=Reply(analysis.reply), verdict=verdict)


def _respond_to_event(inbound: Inbound, ctx: Context) -> Outcome:
    event = (inbound.event or "").lower()
    if event == "subscribe":
        return text_reply(ctx, "welcome")
    if event in SILENT_EVENTS:
        return Outcome(reply=None)
    return text_reply(ctx, "default")


def text_reply(ctx: Context, key: str) -> Outcome:
    return Outcome(reply=Reply(ctx.texts[key]))
