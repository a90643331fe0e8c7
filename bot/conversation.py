"""One turn of a conversation: load what the dialogue needs, run it, keep what it decided.

This is the glue between the pure dialogue and the database; the webhook calls it.
Effects a turn returns (save a case, change a subscription, ...) are applied here by the
handler registered for their type in EFFECT_HANDLERS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlite_utils import Database

from bot import dialogue
from bot.db import core
from bot.dialogue.model import Context, Inbound, Outcome
from bot.livekb import LiveKnowledge
from bot.timeutil import to_db, utc_now

EffectHandler = Callable[[Database, Any, datetime], None]
EFFECT_HANDLERS: dict[type, EffectHandler] = {}

# WeChat opens the 48-hour customer-service window on a message, a follow, a scan or a menu click.
_WINDOW_EVENTS = {"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"}


def take_turn(db: Database, live: LiveKnowledge, inbound: Inbound) -> Outcome:
    """Run the dialogue for one inbound message and apply its effects."""
    now = utc_now()
    _note_follower(db, inbound, to_db(now))
    ctx = Context(advisor=live.advisor(), texts=live.texts(), now=now)
    outcome = dialogue.respond(inbound, ctx)
    for effect in outcome.effects:
        EFFECT_HANDLERS[type(effect)](db, effect, now)
    return outcome


def _note_follower(db: Database, inbound: Inbound, now: str) -> None:
    event = (inbound.event or "").lower()
    if event in ("subscribe", "unsubscribe"):
        scene = inbound.event_key if event == "subscribe" else None
        core.set_subscribed(db, inbound.openid, event == "subscribe", now, scene=scene)
    else:
        core.touch_follower(db, inbound.openid, now, wrote=opens_service_window(inbound))


def opens_service_window(inbound: Inbound) -> bool:
    if inbound.msg_type != "event":
        return True
    return (inbound.event or "").lower() in _WINDOW_EVENTS
