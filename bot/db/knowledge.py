"""Tables and queries for the live knowledge base: entries, shared texts, disguises, revisions, version.

Entries are stored as the JSON form of their TOML documents. Every save writes a revision and
bumps the version counter in the same transaction; workers watch the counter to reload.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database, Migrations

from bot.db.tx import transaction  # noqa: F401  (callers use it from here)

migrations = Migrations("knowledge")

KINDS = ("entry", "text", "disguises")
DISGUISES_KEY = "disguises"


@migrations()
def m001_live_knowledge(db: Database) -> None:
    db.execute("""
        CREATE TABLE kb_entries (
            id TEXT PRIMARY KEY,
            category TEXT NOT NULL,
            title TEXT NOT NULL,
            document TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            revision INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE kb_texts (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            revision INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE kb_documents (
            name TEXT PRIMARY KEY,
            document TEXT NOT NULL,
            revision INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE kb_revisions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('entry', 'text', 'disguises')),
            key TEXT NOT NULL,
            revision INTEGER NOT NULL,
            action TEXT NOT NULL,
            document TEXT,
            enabled INTEGER,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            UNIQUE (kind, key, revision)
        )""")
    db.execute("CREATE TABLE kb_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
    db.execute("INSERT INTO kb_version (id, version) VALUES (1, 0)")


# --- transactions and the version counter -------------------------------------------



def version(db: Database) -> int:
    """The counter every change bumps; workers compare it to reload."""
    return db.execute("SELECT version FROM kb_version WHERE id = 1").fetchone()[0]


def bump_version(db: Database) -> int:
    db.execute("UPDATE kb_version SET version = version + 1 WHERE id = 1")
    return version(db)


def is_empty(db: Database) -> bool:
    return db.execute("SELECT (SELECT COUNT(*) FROM kb_entries) + (SELECT COUNT(*) FROM kb_texts)"
                      ).fetchone()[0] == 0


# --- reading ----------------------------------------------------------------------------

def entries(db: Database, query: str = "", category: str = "", enabled_only: bool = False) -> list[dict[str, Any]]:
    """Entries with their decoded documents, filtered by a search text and category."""
    like = f"%{query}%"
    rows = db.query(
        "SELECT * FROM kb_entries WHERE (? = '' OR id LIKE ? OR title LIKE ? OR document LIKE ?) "
        "AND (? = '' OR category = ?) AND (? = 0 OR enabled = 1) ORDER BY category, id",
        [query, like, like, like, category, category, int(enabled_only)])
    return [_with_document(row) for row in rows]


def entry(db: Database, entry_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM kb_entries WHERE id = ?", [entry_id]))
    return _with_document(rows[0]) if rows else None


def texts(db: Database) -> dict[str, str]:
    return {key: value for key, value in db.execute("SELECT key, value FROM kb_texts ORDER BY key")}


def text_rows(db: Database, query: str = "") -> list[dict[str, Any]]:
    like = f"%{query}%"
    return list(db.query("SELECT * FROM kb_texts WHERE (? = '' OR key LIKE ? OR value LIKE ?) ORDER BY key",
                         [query, like, like]))


def text_row(db: Database, key: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM kb_texts WHERE key = ?", [key]))
    return rows[0] if rows else None


def document(db: Database, name: str) -> dict[str, Any] | None:
    row = db.execute("SELECT document FROM kb_documents WHERE name = ?", [name]).fetchone()
    return json.loads(row[0]) if row else None


def revisions(db: Database, kind: str, key: str) -> list[dict[str, Any]]:
    """Every revision of one entry, text or document, newest first."""
    rows = db.query("SELECT * FROM kb_revisions WHERE kind = ? AND key = ? ORDER BY revision DESC",
                    [kind, key])
    return [_with_document(row) for row in rows]


def revision(db: Database, kind: str, key: str, number: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM kb_revisions WHERE kind = ? AND key = ? AND revision = ?",
                         [kind, key, number]))
    return _with_document(rows[0]) if rows else None


def deleted_entries(db: Database) -> list[dict[str, Any]]:
    """Entries whose latest revision is a deletion: they can still be restored."""
    rows = db.query(
        """SELECT r.* FROM kb_revisions r
           JOIN (SELECT key, MAX(revision) AS latest FROM kb_revisions WHERE kind = 'entry' GROUP BY key) m
             ON r.key = m.key AND r.revision = m.latest
           WHERE r.kind = 'entry' AND r.action = 'delete' ORDER BY r.at DESC""")
    return [_with_document(row) for row in rows]


def latest_revision(db: Database, kind: str, key: str) -> int:
    row = db.execute("SELECT MAX(revision) FROM kb_revisions WHERE kind = ? AND key = ?", [kind, key]).fetchone()
    return row[0] or 0


# --- writing (call inside transaction(); each writes a revision) --------------------------

def save_entry(db: Database, document: dict[str, Any], enabled: bool, now: str, by: str,
               action: str) -> int:
    """Insert or replace an entry; return its new revision number."""
    number = latest_revision(db, "entry", document["id"]) + 1
    text = _dump(document)
    db.execute(
        """INSERT INTO kb_entries (id, category, title, document, enabled, revision, updated_at, updated_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET category = excluded.category, title = excluded.title,
               document = excluded.document, enabled = excluded.enabled, revision = excluded.revision,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
        [document["id"], document["category"], document["title"], text, int(enabled), number, now, by])
    _add_revision(db, "entry", document["id"], number, action, text, int(enabled), now, by)
    return number


def delete_entry(db: Database, entry_id: str, now: str, by: str) -> int:
    number = latest_revision(db, "entry", entry_id) + 1
    db.execute("DELETE FROM kb_entries WHERE id = ?", [entry_id])
    _add_revision(db, "entry", entry_id, number, "delete", None, None, now, by)
    return number


def save_text(db: Database, key: str, value: str, now: str, by: str, action: str) -> int:
    number = latest_revision(db, "text", key) + 1
    db.execute(
        """INSERT INTO kb_texts (key, value, revision, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET value = excluded.value, revision = excluded.revision,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
        [key, value, number, now, by])
    _add_revision(db, "text", key, number, action, json.dumps(value, ensure_ascii=False), None, now, by)
    return number


def delete_text(db: Database, key: str, now: str, by: str) -> int:
    number = latest_revision(db, "text", key) + 1
    db.execute("DELETE FROM kb_texts WHERE key = ?", [key])
    _add_revision(db, "text", key, number, "delete", None, None, now, by)
    return number


def save_document(db: Database, name: str, document: dict[str, Any], now: str, by: str, action: str) -> int:
    number = latest_revision(db, DISGUISES_KEY, name) + 1
    text = _dump(document)
    db.execute(
        """INSERT INTO kb_documents (name, document, revision, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET document = excluded.document, revision = excluded.revision,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
        [name, text, number, now, by])
    _add_revision(db, DISGUISES_KEY, name, number, action, text, None, now, by)
    return number


def _add_revision(db: Database, kind: str, key: str, number: int, action: str, document: str | None,
                  enabled: int | None, now: str, by: str) -> None:
    db.execute("INSERT INTO kb_revisions (kind, key, revision, action, document, enabled, at, by) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [kind, key, number, action, document, enabled, now, by])


def _dump(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=False)


def _with_document(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("document") is not None:
        row["document"] = json.loads(row["document"])
    return row
