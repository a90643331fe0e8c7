"""The dialogue: turns one inbound message into an outcome. Pure given its inputs."""

from __future__ import annotations

from bot.dialogue.model import Context, Inbound, Outcome, Reply

MEDIA_TYPES = {"image", "video", "shortvideo", "file"}
# Events WeChat sends for bookkeeping: nobody reads a reply to them.
SILENT_EVENTS = {"unsubscribe", "view", "location", "masssendjobfinish", "templatesendjobfinish",
                 "view_miniprogram"}


def respond(inbound: Inbound, ctx: Context) -> Outcome:
    """Route one message by its type; unknown types get a polite default, never an error."""
    if inbound.msg_type == "event":
        return _respond_to_event(inbound, ctx)
    if inbound.msg_type in ("text", "link") or (inbound.msg_type == "voice" and inbound.text):
        return advise(inbound.text, ctx)
    if inbound.msg_type == "voice":
        return _text_reply(ctx, "voice_unrecognised")
    if inbound.msg_type in MEDIA_TYPES:
        return _text_reply(ctx, "unsupported_media")
    if inbound.msg_type == "location":
        return _text_reply(ctx, "location_ack")
    return _text_reply(ctx, "default")


def advise(text: str, ctx: Context) -> Outcome:
    """Ask the advisor about a piece of text and reply with its answer."""
    analysis = ctx.advisor.analyze(text)
    verdict = {key: value for key, value in analysis.to_json().items() if key != "reply"}
    return Outcome(reply=Reply(analysis.reply), verdict=verdict)


def _respond_to_event(inbound: Inbound, ctx: Context) -> Outcome:
    event = (inbound.event or "").lower()
    if event == "subscribe":
        return _text_reply(ctx, "welcome")
    if event in SILENT_EVENTS:
        return Outcome(reply=None)
    return _text_reply(ctx, "default")


def _text_reply(ctx: Context, key: str) -> Outcome:
    return Outcome(reply=Reply(ctx.texts[key]))
