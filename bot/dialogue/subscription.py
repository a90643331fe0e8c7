"""Alert subscriptions (订阅 / 退订): opt in or out, then pick a street or community and groups.

Pure: the choices come from the texts (subscription_areas, subscription_groups), and every
change is a SetPreferences effect that the edge writes (bot.alerts.subscriptions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogue import register
from bot.dialogue.common import SKIP_WORDS, advise, has_words, is_click, plain, say
from bot.dialogue.model import Context, Inbound, Outcome, Reply

SUBSCRIBE_KEY, SETTINGS_KEY, UNSUBSCRIBE_KEY = "MENU_SUBSCRIBE", "MENU_SETTINGS", "MENU_UNSUBSCRIBE"
SUBSCRIBE_WORDS = {"订阅", "订阅预警", "预警订阅", "我要订阅", "订阅反诈预警", "开通预警"}
SETTINGS_WORDS = {"我的设置", "订阅设置", "修改设置", "修改订阅", "预警设置"}
UNSUBSCRIBE_WORDS = {"退订", "取消订阅", "退订预警", "不要预警", "关闭预警"}
NONE_WORDS = SKIP_WORDS | {"无", "没有", "都不是", "不选", "0", "〇"}
_SEPARATORS = re.compile(r"[\s,，、;；/和及]+")
MAX_ANSWER_CHARS = 30    # longer than any choice list: the resident is telling us something else
MAX_TRIES = 2


@dataclass(frozen=True)
class SetPreferences:
    """Effect: change a resident's alert preferences; None leaves a field as it is."""
    openid: str
    opted_in: bool | None = None
    area: str | None = None          # "" clears the area
    groups: tuple[str, ...] | None = None


def choices(ctx: Context, key: str) -> list[str]:
    """The options residents pick from, as listed in the text `key` (separated by 、)."""
    return [item.strip() for item in ctx.texts[key].split("、") if item.strip()]


def numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))


def pick_one(text: str, options: list[str]) -> str | None:
    """An option by number or by name; '' for 跳过; None when the answer picks nothing."""
    answer = plain(text)
    if answer in NONE_WORDS:
        return ""
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]
    matches = [option for option in options if answer and (answer == plain(option) or answer in option)]
    return matches[0] if len(matches) == 1 else None


def pick_many(text: str, options: list[str]) -> list[str] | None:
    """Several options by number or name, in list order; [] for 跳过; None if any part is unclear."""
    answer = plain(text)
    if answer in NONE_WORDS:
        return []
    parts = [part for part in _SEPARATORS.split(answer) if part]
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) > 1 and len(options) < 10:
        parts = list(parts[0])  # "13" means 1 and 3 when there are fewer than ten options
    picked = [pick_one(part, options) for part in parts]
    if not picked or any(not choice for choice in picked):
        return None
    return [option for option in options if option in picked]


class SubscriptionFlow:
    name = "subscription"

    def starts(self, inbound: Inbound, ctx: Context) -> bool:
        return _intent(inbound) is not None

    def start(self, inbound: Inbound, ctx: Context) -> Outcome:
        if _intent(inbound) == "unsubscribe":
            return Outcome(reply=Reply(say(ctx, "subscription_unsubscribed")), state=None,
                           effects=[SetPreferences(inbound.openid, opted_in=False)])
        areas = numbered(choices(ctx, "subscription_areas"))
        return Outcome(reply=Reply(say(ctx, "subscription_ask_area", areas=areas)),
                       state={"flow": self.name, "step": "area", "tries": 0},
                       effects=[SetPreferences(inbound.openid, opted_in=True)])

    def step(self, inbound: Inbound, ctx: Context) -> Outcome:
        if _intent(inbound) is not None:
            return self.start(inbound, ctx)
        if has_words(inbound) and len(inbound.text.strip()) > MAX_ANSWER_CHARS:
            outcome = advise(inbound.text, ctx)  # not an answer: a question for the advisor
            outcome.state = None
            return outcome
        if ctx.state.get("step") == "area":
            return self._area(inbound, ctx)
        return self._groups(inbound, ctx)

    def _area(self, inbound: Inbound, ctx: Context) -> Outcome:
        area = pick_one(inbound.text, choices(ctx, "subscription_areas")) if has_words(inbound) else None
        if area is None:
            return self._unclear(ctx, numbered(choices(ctx, "subscription_areas")))
        groups = numbered(choices(ctx, "subscription_groups"))
        return Outcome(reply=Reply(say(ctx, "subscription_ask_groups", groups=groups)),
                       state={"flow": self.name, "step": "groups", "tries": 0, "area": area},
                       effects=[SetPreferences(inbound.openid, area=area)])

    def _groups(self, inbound: Inbound, ctx: Context) -> Outcome:
        groups = pick_many(inbound.text, choices(ctx, "subscription_groups")) if has_words(inbound) else None
        if groups is None:
            return self._unclear(ctx, numbered(choices(ctx, "subscription_groups")))
        none = say(ctx, "subscription_not_chosen")
        done = say(ctx, "subscription_done", area=ctx.state.get("area") or none,
                   groups="、".join(groups) or none)
        return Outcome(reply=Reply(done), state=None,
                       effects=[SetPreferences(inbound.openid, groups=tuple(groups))])

    def _unclear(self, ctx: Context, listing: str) -> Outcome:
        tries = int(ctx.state.get("tries", 0)) + 1
        if tries >= MAX_TRIES:
            return Outcome(reply=Reply(say(ctx, "subscription_left")), state=None)
        return Outcome(reply=Reply(f"{say(ctx, 'subscription_not_understood')}\n{listing}"),
                       state={**ctx.state, "tries": tries})


def _intent(inbound: Inbound) -> str | None:
    """'subscribe', 'settings' or 'unsubscribe' when the message asks for one, else None."""
    if is_click(inbound, SUBSCRIBE_KEY):
        return "subscribe"
    if is_click(inbound, SETTINGS_KEY):
        return "settings"
    if is_click(inbound, UNSUBSCRIBE_KEY):
        return "unsubscribe"
    if not has_words(inbound):
        return None
    words = plain(inbound.text)
    if words in SUBSCRIBE_WORDS:
        return "subscribe"
    if words in SETTINGS_WORDS:
        return "settings"
    return "unsubscribe" if words in UNSUBSCRIBE_WORDS else None


register(SubscriptionFlow())
