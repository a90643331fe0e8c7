"""Checks: a resident sends a phone number, a link or a bank card number (or 查 + one).

The answer for each says: known to be used by scammers (the blacklist), a risky pattern
(the entity rules' flags), or nothing known; each with advice. Nothing known is never "safe".
"""

from __future__ import annotations

import re
from typing import Any

from bot.advisor import entities as found
from bot.dialogue import register
from bot.dialogue.common import advise, has_words, is_click, is_word, say, verdict_of
from bot.dialogue.model import Context, Inbound, Outcome, Reply

MENU_KEY = "MENU_CHECK"
PROMPT_WORDS = {"查", "查一查", "查查", "查一下", "查询", "查号码", "查电话", "查链接", "查网址", "查银行卡",
                "查卡号", "核查", "查骗子", "号码查询"}
MAX_CHECKED = 3
# Words around a bare number that still make the message a check ("这个号码是诈骗吗").
MAX_OTHER_CHARS = 12
_ASK = re.compile(r"^\s*(?:请|帮我|帮忙)?(?:查一下|查一查|查查|查询|查|核实|核查|检查|验证)")
_FILLER = re.compile(r"[\W_]+")
# Flags that only say what the thing is; they are not a risky pattern by themselves.
GENERIC_FLAGS = {found.FLAGS["card"], found.FLAGS["qq"], found.FLAGS["wechat"]}
ACCOUNT_KINDS = {"qq", "wechat"}


def checkable(text: str) -> list[Any]:
    """The numbers, links, cards and ids a message asks about, or [] when it is not a check."""
    items, words = _request(text)
    return items if items and (words is None or len(words) <= MAX_OTHER_CHARS) else []


def _request(text: str) -> tuple[list[Any], str | None]:
    """What a message names, and the other words around it (None after an explicit 查)."""
    got = found.extract(text)
    items = [*got.phones, *got.urls, *got.cards, *got.accounts]
    if _ASK.match(text):
        return items, None
    rest = text
    for item in items:
        rest = rest.replace(item.raw, "")
    rest = _FILLER.sub("", rest)
    for item in items:
        rest = rest.replace(item.value, "")
    return items, rest


def verdict(item: Any, ctx: Context) -> tuple[str, dict[str, Any] | None, list[str]]:
    """('blacklist', row, flags), ('risky', None, flags) or ('unknown', None, [])."""
    row = item.known_bad or _listed(item, ctx)
    risky = [flag for flag in item.flags if flag not in GENERIC_FLAGS and flag != found.FLAGS["known_bad"]]
    if row is not None:
        return "blacklist", row, risky
    return ("risky", None, risky) if risky else ("unknown", None, [])


def _listed(item: Any, ctx: Context) -> dict[str, Any] | None:
    lookup = ctx.lookups.blacklist
    if item.kind in ACCOUNT_KINDS:
        return lookup("account", item.value) or lookup("account", f"{item.kind}:{item.value}")
    if item.kind == "url":
        host = found.normalize_url(item.value)[1]
        return lookup("url", item.value) or lookup("domain", host)
    return lookup(item.kind, item.value)


def answer(items: list[Any], ctx: Context) -> Outcome:
    """One paragraph per item checked, then the advice that fits the worst finding."""
    results = [(item, *verdict(item, ctx)) for item in items[:MAX_CHECKED]]
    paragraphs = [_paragraph(ctx, item, kind, row, flags) for item, kind, row, flags in results]
    worst = _worst(kind for _, kind, _, _ in results)
    text = "\n\n".join([*paragraphs, say(ctx, f"check_advice_{worst}")])
    checked = [{"kind": item.kind, "value": item.value, "result": kind} for item, kind, _, _ in results]
    risk = {"blacklist": "high", "risky": "medium", "unknown": "none"}[worst]
    return Outcome(reply=Reply(text),
                   verdict={"is_scam": worst == "blacklist", "risk": risk, "checked": checked})


def _worst(kinds) -> str:
    kinds = set(kinds)
    return next(kind for kind in ("blacklist", "risky", "unknown") if kind in kinds or kind == "unknown")


def _paragraph(ctx: Context, item: Any, kind: str, row: dict[str, Any] | None, flags: list[str]) -> str:
    label = say(ctx, f"check_label_{item.kind}")
    if kind == "blacklist":
        note = (row or {}).get("note") or ""
        text = say(ctx, "check_blacklisted", label=label, value=item.value,
                   note=f"（{note}）" if note else "")
        return "\n".join([text, *(f"· {flag}" for flag in flags)])
    if kind == "risky":
        return "\n".join([say(ctx, "check_risky", label=label, value=item.value),
                          *(f"· {flag}" for flag in flags)])
    return say(ctx, "check_unknown", label=label, value=item.value)


class CheckFlow:
    """查: a check on its own answers at once; the menu's 查一查 first asks what to check."""
    name = "check"

    def starts(self, inbound: Inbound, ctx: Context) -> bool:
        return (is_click(inbound, MENU_KEY) or self.called(inbound)
                or (has_words(inbound) and bool(checkable(inbound.text))))

    def called(self, inbound: Inbound) -> bool:
        """查 (and the like) on its own: ask what to check."""
        return is_word(inbound, PROMPT_WORDS)

    def start(self, inbound: Inbound, ctx: Context) -> Outcome:
        if is_click(inbound) or self.called(inbound):
            return Outcome(reply=Reply(say(ctx, "check_prompt")), state={"flow": self.name})
        items, words = _request(inbound.text)
        if words:
            # A number with a few words around it ("他说我涉嫌洗钱 138…"): when those words are
            # a scam the advisor recognises, its answer says more than a look-up.
            analysis = ctx.advisor.analyze(inbound.text)
            if analysis.is_scam or analysis.urgent:
                return Outcome(reply=Reply(analysis.reply), verdict=verdict_of(analysis))
        return answer(items, ctx)

    def step(self, inbound: Inbound, ctx: Context) -> Outcome:
        if not has_words(inbound):
            return Outcome(reply=Reply(say(ctx, "check_words_please")), state={"flow": self.name})
        got = found.extract(inbound.text)
        items = [*got.phones, *got.urls, *got.cards, *got.accounts]
        if items:
            return answer(items, ctx)
        if len(inbound.text.strip()) <= MAX_OTHER_CHARS and not ctx.state.get("asked_again"):
            return Outcome(reply=Reply(say(ctx, "check_nothing_found")),
                           state={"flow": self.name, "asked_again": True})
        return advise(inbound.text, ctx)

    def interrupts(self, analysis: Any, _ctx: Context) -> bool:
        """A number sent to be checked may well look dangerous; only an emergency interrupts."""
        return bool(analysis.urgent)


register(CheckFlow())
