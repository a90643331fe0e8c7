"""One turn of a conversation: load what the dialogue needs, run it, keep what it decided.

This is the glue between the pure dialogue and the database; the webhook calls it.
Effects a turn returns (save a case, change a subscription, ...) are applied here by the
handler registered for their type in EFFECT_HANDLERS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Callable

from sqlite_utils import Database

from bot import dialogue
from bot.alerts.results import record_job_finish
from bot.alerts.subscriptions import apply_preferences
from bot.config import SCHEMA
from bot.db import cases, console, core
from bot.db.tx import transaction
from bot.dialogue.content import content_for
from bot.dialogue.model import Context, Inbound, Lookups, Outcome
from bot.dialogue.quiz import SaveQuizResult
from bot.dialogue.report import SaveCase
from bot.dialogue.subscription import SetPreferences
from bot.livekb import LiveKnowledge
from bot.timeutil import to_db, utc_now

STATE_ATTEMPTS = 3

EffectHandler = Callable[[Database, Any, datetime], None]
EFFECT_HANDLERS: dict[type, EffectHandler] = {}

# WeChat opens the 48-hour customer-service window on a message, a follow, a scan or a menu click.
_WINDOW_EVENTS = {"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"}


class StateConflict(Exception):
    """Other turns of the same resident kept moving the state on; this message gets the safety advice."""


@dataclass(frozen=True)
class TurnSettings:
    """The settings a turn needs: where the dialogue's texts and quiz live, the flow timeout."""
    knowledge_path: str = SCHEMA["knowledge"]["path"].default
    flow_timeout: timedelta = timedelta(minutes=SCHEMA["dialogue"]["flow_timeout_minutes"].default)

    @classmethod
    def from_config(cls, config: dict) -> "TurnSettings":
        return cls(config["knowledge"]["path"],
                   timedelta(minutes=config["dialogue"]["flow_timeout_minutes"]))


def init_app(app) -> None:
    """Give this app's webhook turns the app's settings (through the pipeline's `turn` seam)."""
    pipeline = app.extensions.get("fanzha.pipeline")
    if pipeline is not None:
        pipeline.turn = partial(take_turn, settings=TurnSettings.from_config(app.config["FANZHA"]))


def take_turn(db: Database, live: LiveKnowledge, inbound: Inbound, now: datetime | None = None,
              settings: TurnSettings = TurnSettings(),
              deliver: Callable[[Any], bool] = lambda _reply: True) -> Outcome:
    """Run the dialogue for one inbound message, apply its effects and keep the resident's state.

    `deliver(reply)` says whether the reply still reaches the resident (the webhook's deadline
    may have answered first); a turn nobody sees leaves the state and the records as they were.
    """
    now = now or utc_now()
    if inbound.msg_type == "event" and (inbound.event or "").lower() == "masssendjobfinish":
        record_job_finish(db, inbound.fields, now)  # WeChat's report on a mass send, not a resident
        return Outcome(reply=None)
    _note_follower(db, inbound, to_db(now))
    for _attempt in range(STATE_ATTEMPTS):
        state, version = cases.load_state_version(db, inbound.openid)
        ctx = make_context(db, live, inbound, now, settings, state)
        outcome = dialogue.respond(inbound, ctx)
        try:
            _keep(db, inbound.openid, version, state, outcome, now, deliver)
        except _StateMoved:
            continue
        except _Undelivered:
            pass
        return outcome
    raise StateConflict(f"the state of {inbound.openid} kept changing under this turn")


class _StateMoved(Exception):
    """Another turn of the same resident moved the state on since this one read it."""


class _Undelivered(Exception):
    """The deadline answered the resident first: this turn must leave no trace."""


def _keep(db: Database, openid: str, version: int, before: dict | None, outcome: Outcome,
          now: datetime, deliver: Callable[[Any], bool]) -> None:
    """Move the state on and apply the effects in one transaction, committed only if the reply is delivered.

    The version check stops two messages at once (a double tap) from both answering the same
    question; a failing effect or an undelivered reply rolls everything back, so the resident
    can simply send the last answer again.
    """
    with transaction(db):
        if outcome.state != before or outcome.effects:
            if not cases.swap_state(db, openid, version, outcome.state, to_db(now)):
                raise _StateMoved
        for effect in outcome.effects:
            EFFECT_HANDLERS[type(effect)](db, effect, now)
        if not deliver(outcome.reply):
            raise _Undelivered


def make_context(db: Database, live: LiveKnowledge, inbound: Inbound, now: datetime,
                 settings: TurnSettings, state: dict | None = None) -> Context:
    """What the dialogue may read this turn: texts, quiz, the resident's state, the look-ups."""
    content = content_for(settings.knowledge_path)
    return Context(advisor=live.advisor(), texts={**content.texts(), **live.texts()}, now=now,
                   state=state, lookups=Lookups(blacklist=_blacklist(db)),
                   flow_timeout=settings.flow_timeout, quiz=content.quiz())


def _blacklist(db: Database):
    """The console's blacklist as the dialogue's (kind, value) look-up."""
    return lambda kind, value: console.blacklist_find(db, kind, value)


def _save_case(db: Database, effect: SaveCase, now: datetime) -> None:
    cases.insert_case(db, {"ref": effect.ref, "openid": effect.openid, **effect.fields}, to_db(now))


def _save_quiz_result(db: Database, effect: SaveQuizResult, now: datetime) -> None:
    cases.insert_quiz_result(db, effect.openid, effect.score, effect.total, effect.passed,
                             effect.answers, to_db(now))


EFFECT_HANDLERS[SaveCase] = _save_case
EFFECT_HANDLERS[SetPreferences] = apply_preferences
EFFECT_HANDLERS[SaveQuizResult] = _save_quiz_result


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
