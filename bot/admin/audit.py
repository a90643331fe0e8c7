"""The audit helper: every change made through the console is recorded with who, when, what, before/after."""

from __future__ import annotations

from typing import Any

from flask import g

from bot.db import console as console_db
from bot.db import get_db
from bot.timeutil import now_text


def audit(action: str, target: str, before: Any = None, after: Any = None, db=None) -> int:
    """Record a change by the current operator; call it in the same request that makes the change.

    action: a short verb such as "kb.entry.update"; target: what changed, e.g. "entry:shuadan".
    before/after: JSON-serialisable snapshots (None when the thing did not exist).
    """
    operator = g.get("operator")
    who = operator["name"] if operator else "(anonymous)"
    return console_db.add_audit(db or get_db(), now_text(), who, action, target, before, after)
