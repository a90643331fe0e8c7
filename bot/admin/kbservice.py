"""Saving knowledge-base changes from the console: one transaction with its revision, audit and version bump."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, request

from bot.admin.audit import audit
from bot.admin.kbforms import diff_lines
from bot.advisor.knowledge import entry_from_document, entry_to_document
from bot.db import get_db
from bot.db import knowledge as kb_db
from bot.livekb import LiveKnowledge
from bot.timeutil import now_text


class StaleEdit(Exception):
    """Someone saved the same item since the form was opened."""


def live() -> LiveKnowledge:
    """This process's live knowledge base (shared with the webhook)."""
    existing = current_app.extensions.get("fanzha.live")
    if existing is None:
        existing = current_app.extensions["fanzha.live"] = LiveKnowledge(current_app.config["FANZHA"])
    return existing


def who() -> str:
    return g.operator["name"]


def _snapshot(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the audit log keeps of an entry row."""
    if row is None:
        return None
    return {"enabled": bool(row["enabled"]), "revision": row["revision"], "document": row["document"]}


def save_entry(document: dict[str, Any], enabled: bool, action: str, expected_revision: int | None = None) -> int:
    """Create, update, enable, disable or restore an entry; returns the new revision."""
    document = entry_to_document(entry_from_document(document, "entry"))  # stored as files hold it
    db = get_db()
    with kb_db.transaction(db):
        before = kb_db.entry(db, document["id"])
        if expected_revision is not None and (before["revision"] if before else 0) != expected_revision:
            raise StaleEdit(document["id"])
        number = kb_db.save_entry(db, document, enabled, now_text(), who(), action)
        audit(f"kb.entry.{action}", f"entry:{document['id']}", _snapshot(before),
              _snapshot(kb_db.entry(db, document["id"])))
        kb_db.bump_version(db)
    live().refresh()
    return number


def delete_entry(entry_id: str) -> None:
    db = get_db()
    with kb_db.transaction(db):
        before = kb_db.entry(db, entry_id)
        kb_db.delete_entry(db, entry_id, now_text(), who())
        audit("kb.entry.delete", f"entry:{entry_id}", _snapshot(before), None)
        kb_db.bump_version(db)
    live().refresh()


def save_text(key: str, value: str, action: str) -> None:
    db = get_db()
    with kb_db.transaction(db):
        before = kb_db.text_row(db, key)
        kb_db.save_text(db, key, value, now_text(), who(), action)
        audit(f"kb.text.{action}", f"text:{key}", before and before["value"], value)
        kb_db.bump_version(db)
    live().refresh()


def delete_text(key: str) -> None:
    db = get_db()
    with kb_db.transaction(db):
        before = kb_db.text_row(db, key)
        kb_db.delete_text(db, key, now_text(), who())
        audit("kb.text.delete", f"text:{key}", before and before["value"], None)
        kb_db.bump_version(db)
    live().refresh()


def save_disguises(table: dict[str, list[str]]) -> None:
    db = get_db()
    with kb_db.transaction(db):
        before = kb_db.document(db, kb_db.DISGUISES_KEY)
        kb_db.save_document(db, kb_db.DISGUISES_KEY, table, now_text(), who(), "update")
        audit("kb.disguises.update", "disguises", before, table)
        kb_db.bump_version(db)
    live().refresh()


def analysis_view(analysis: Any, text: str) -> dict[str, Any]:
    """What "try it" shows: the exact reply, the verdict, and the signals that fired."""
    data = analysis.to_json()
    return {"text": text, "reply": data.get("reply", ""), "is_scam": data.get("is_scam"),
            "category": data.get("category"), "risk": data.get("risk"), "urgent": data.get("urgent"),
            "signals": data.get("signals", []), "entry": data.get("entry"), "score": data.get("score"),
            "entities": {kind: items for kind, items in (data.get("entities") or {}).items() if items}}


def compare_revisions(db, kind: str, key: str) -> dict[str, Any]:
    """An item's revisions and the diff of two: ?a=older&b=newer, by default the latest two."""
    history = kb_db.revisions(db, kind, key)
    if not history:
        abort(404)
    newer = request.args.get("b", history[0]["revision"], type=int)
    older = request.args.get("a", history[1]["revision"] if len(history) > 1 else newer, type=int)
    a, b = kb_db.revision(db, kind, key, older), kb_db.revision(db, kind, key, newer)
    if a is None or b is None:
        abort(404)
    return {"history": history, "a": a, "b": b, "diff": diff_lines(a["document"], b["document"])}
