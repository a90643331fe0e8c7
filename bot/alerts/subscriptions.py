"""Residents' alert preferences: store them and queue the WeChat tag changes they imply."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.db import alerts as store
from bot.dialogue.subscription import SetPreferences
from bot.timeutil import to_db


def tags_for(opted_in: bool, area: str | None, groups: list[str]) -> set[str]:
    """The WeChat tags a resident should carry: their area and groups, only while opted in."""
    if not opted_in:
        return set()
    return ({area} if area else set()) | set(groups)


def apply_preferences(db: Database, effect: SetPreferences, now: datetime) -> None:
    """The SetPreferences effect handler: merge, store, and queue tag and untag for the difference."""
    current = store.subscription(db, effect.openid) or {"opted_in": 0, "area": None, "groups": []}
    opted_in = bool(current["opted_in"]) if effect.opted_in is None else effect.opted_in
    area = current["area"] if effect.area is None else (effect.area or None)
    groups = list(current["groups"]) if effect.groups is None else list(effect.groups)
    stamp = to_db(now)
    before = tags_for(bool(current["opted_in"]), current["area"], current["groups"])
    after = tags_for(opted_in, area, groups)
    with store.transaction(db):
        store.save_subscription(db, effect.openid, opted_in, area, groups, stamp)
        for name in sorted(after - before):
            store.enqueue_tag_change(db, effect.openid, name, "tag", stamp)
        for name in sorted(before - after):
            store.enqueue_tag_change(db, effect.openid, name, "untag", stamp)
