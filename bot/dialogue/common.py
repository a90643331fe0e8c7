"""Small helpers every flow uses: reading a message's words, replying with a text from knowledge/."""

from __future__ import annotations

import re
import unicodedata

from bot.dialogue.model import Context, Inbound, Outcome, Reply

MEDIA_TYPES = {"image", "video", "shortvideo", "file"}
# Events WeChat sends for bookkeeping: nobody reads a reply to them.
SILENT_EVENTS = {"unsubscribe", "view", "location", "masssendjobfinish", "templatesendjobfinish",
                 "view_miniprogram"}

CANCEL_WORDS = {"取消", "退出", "不填了", "不做了", "算了", "结束", "cancel", "quit"}
HELP_WORDS = {"帮助", "菜单", "help", "帮忙", "怎么用", "功能", "使用帮助"}
SKIP_WORDS = {"跳过", "不知道", "不清楚", "记不清", "忘了", "不记得", "不方便", "不用", "不用了", "不留",
              "不想说", "skip", "pass"}
_TRIM = re.compile(r"^[\s，。,.!！?？~～、]+|[\s，。,.!！~～、]+$")


def has_words(inbound: Inbound) -> bool:
    """A message the resident typed or said (text, link, or voice WeChat understood)."""
    return inbound.msg_type in ("text", "link", "voice") and bool(inbound.text.strip())


def plain(text: str) -> str:
    """The words without width differences, case, or the punctuation around them."""
    return _TRIM.sub("", unicodedata.normalize("NFKC", text)).casefold()


def is_word(inbound: Inbound, words: set[str]) -> bool:
    return has_words(inbound) and plain(inbound.text) in words


def is_click(inbound: Inbound, key: str | None = None) -> bool:
    clicked = inbound.msg_type == "event" and (inbound.event or "").lower() == "click"
    return clicked and (key is None or inbound.event_key == key)


def is_silent_event(inbound: Inbound) -> bool:
    return inbound.msg_type == "event" and (inbound.event or "").lower() in SILENT_EVENTS


def say(ctx: Context, key: str, **values: object) -> str:
    """A reply text from knowledge/, with {placeholders} filled."""
    text = ctx.texts[key]
    return text.format(**values) if values else text


def text_reply(ctx: Context, key: str, **values: object) -> Outcome:
    return Outcome(reply=Reply(say(ctx, key, **values)))


def join(*parts: str) -> str:
    """Paragraphs of one reply, empty ones left out."""
    return "\n\n".join(part for part in parts if part)


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
    return Outcome(reply=Reply(analysis.reply), verdict=verdict_of(analysis))


def verdict_of(analysis) -> dict:
    return {key: value for key, value in analysis.to_json().items() if key != "reply"}


def _respond_to_event(inbound: Inbound, ctx: Context) -> Outcome:
    event = (inbound.event or "").lower()
    if event == "subscribe":
        return text_reply(ctx, "welcome")
    if event in SILENT_EVENTS:
        return Outcome(reply=None)
    if is_click(inbound, "MENU_HELP"):
        return text_reply(ctx, "help")
    if is_click(inbound) and f"menu_{(inbound.event_key or '').lower()}" in ctx.texts:
        # A menu button answered by a text alone: its text is menu_<key> in knowledge/.
        return text_reply(ctx, f"menu_{inbound.event_key.lower()}")
    return text_reply(ctx, "default")
