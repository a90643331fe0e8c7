"""The shape of a resident's dialogue state, and the pure operations the router needs on it.

    {"flow": "report", ...the flow's progress..., "at": "2026-11-28 12:00:00",
     "aside": {"quiz": {...progress..., "at": "..."}}}

"flow" names the active flow; "at" is when it last moved (for the timeout); "aside"
holds drafts of resumable flows the resident left, kept for DRAFT_KEEP.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.timeutil import from_db, to_db

State = dict[str, Any]
RESERVED = ("at", "aside")
DRAFT_KEEP = timedelta(days=3)


def active_name(state: State | None) -> str | None:
    return (state or {}).get("flow") or None


def progress(state: State | None) -> State:
    """The active flow's own fields."""
    return {key: value for key, value in (state or {}).items() if key not in RESERVED}


def aside(state: State | None) -> dict[str, State]:
    return dict((state or {}).get("aside") or {})


def aside_names(state: State | None) -> list[str]:
    return list(aside(state))


def draft(state: State | None, name: str) -> State | None:
    """The draft of a flow put aside, without its timestamp."""
    kept = aside(state).get(name)
    return None if kept is None else {k: v for k, v in kept.items() if k not in RESERVED}


def expired(state: State | None, now: datetime, timeout: timedelta) -> bool:
    if not active_name(state) or not state.get("at"):
        return False
    return now - from_db(state["at"]) > timeout


def leave(state: State | None, name: str, kept: State | None, now: datetime) -> State | None:
    """End the active flow; keep `kept` as its draft when given."""
    drafts = aside(state)
    if kept is not None:
        drafts[name] = {**{k: v for k, v in kept.items() if k not in RESERVED}, "at": to_db(now)}
    return {"aside": drafts} if drafts else None


def forget(state: State | None, name: str) -> State | None:
    """End a flow and drop its draft."""
    drafts = aside(state)
    drafts.pop(name, None)
    keep = progress(state) if active_name(state) != name else {}
    if keep and state.get("at"):
        keep["at"] = state["at"]
    if drafts:
        keep["aside"] = drafts
    return keep or None


def drop_stale(state: State | None, now: datetime) -> State | None:
    """Forget drafts older than DRAFT_KEEP."""
    drafts = aside(state)
    fresh = {name: kept for name, kept in drafts.items()
             if now - from_db(kept.get("at") or to_db(now)) <= DRAFT_KEEP}
    if fresh == drafts:
        return state
    result = {key: value for key, value in (state or {}).items() if key != "aside"}
    if fresh:
        result["aside"] = fresh
    return result or None


def merge(base: State | None, flow_state: State | None, ran: str | None, now: datetime) -> State | None:
    """The state to keep after a turn: the flow's new progress plus the drafts still aside."""
    if ran is None:
        return base or None
    drafts = aside(base)
    drafts.pop(ran, None)
    result = progress(flow_state) if active_name(flow_state) else {}
    if result:
        result["at"] = to_db(now)
    if drafts:
        result["aside"] = drafts
    return result or None
