"""Tables and queries for the console: operators, login attempts, the audit log, the blacklist.

Also the read-only queries the console runs over core's `messages` table (inbox, dashboard).
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database, Migrations

migrations = Migrations("console")

ROLES = ("viewer", "editor", "admin")
BLACKLIST_KINDS = ("phone", "url", "domain", "card", "account")


@migrations()
def m001_operators_audit(db: Database) -> None:
    db.execute("""
        CREATE TABLE operators (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_login_at TEXT
        )""")
    db.execute("""
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            ip TEXT NOT NULL,
            at REAL NOT NULL,
            ok INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX login_attempts_name ON login_attempts(name, at)")
    db.execute("CREATE INDEX login_attempts_ip ON login_attempts(ip, at)")
    db.execute("""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            before TEXT,
            after TEXT
        )""")
    db.execute("CREATE INDEX audit_log_at ON audit_log(at)")


@migrations()
def m002_blacklist(db: Database) -> None:
    db.execute("""
        CREATE TABLE blacklist (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('phone', 'url', 'domain', 'card', 'account')),
            value TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            UNIQUE (kind, value)
        )""")


# --- operators ----------------------------------------------------------------

def create_operator(db: Database, name: str, password_hash: str, role: str, now: str) -> int:
    """Insert an operator; raises sqlite3.IntegrityError when the name is taken."""
    cursor = db.execute(
        "INSERT INTO operators (name, password_hash, role, active, created_at, updated_at) "
        "VALUES (?, ?, ?, 1, ?, ?)", [name, password_hash, role, now, now])
    return cursor.lastrowid


def operator_by_name(db: Database, name: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM operators WHERE name = ?", [name]))
    return rows[0] if rows else None


def operator_by_id(db: Database, operator_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM operators WHERE id = ?", [operator_id]))
    return rows[0] if rows else None


def list_operators(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT id, name, role, active, created_at, last_login_at "
                         "FROM operators ORDER BY name"))


def update_operator(db: Database, operator_id: int, now: str, **fields: Any) -> None:
    """Change role, active or password_hash of one operator."""
    allowed = {k: v for k, v in fields.items() if k in ("role", "active", "password_hash")}
    if not allowed:
        return
    sets = ", ".join(f"{key} = ?" for key in allowed)
    db.execute(f"UPDATE operators SET {sets}, updated_at = ? WHERE id = ?",
               [*allowed.values(), now, operator_id])


def note_login(db: Database, operator_id: int, now: str) -> None:
    db.execute("UPDATE operators SET last_login_at = ? WHERE id = ?", [now, operator_id])


def count_active_admins(db: Database) -> int:
    return db.execute("SELECT COUNT(*) FROM operators WHERE role = 'admin' AND active = 1").fetchone()[0]


# --- login throttling -----------------------------------------------------------

def record_login_attempt(db: Database, name: str, ip: str, at: float, ok: bool) -> None:
    db.execute("INSERT INTO login_attempts (name, ip, at, ok) VALUES (?, ?, ?, ?)",
               [name, ip, at, int(ok)])
    db.execute("DELETE FROM login_attempts WHERE at < ?", [at - 86400])


def recent_failures(db: Database, column: str, value: str, since: float) -> tuple[int, float | None]:
    """Failed attempts for a name or ip since `since` and after its last success; and the latest."""
    assert column in ("name", "ip")
    row = db.execute(
        f"""SELECT COUNT(*), MAX(at) FROM login_attempts
            WHERE {column} = ? AND ok = 0 AND at >= ?
              AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE {column} = ? AND ok = 1), 0)""",
        [value, since, value]).fetchone()
    return row[0], row[1]


# --- audit log ------------------------------------------------------------------

def add_audit(db: Database, at: str, operator: str, action: str, target: str,
              before: Any = None, after: Any = None) -> int:
    """Append one audited change; before/after are stored as JSON."""
    cursor = db.execute(
        "INSERT INTO audit_log (at, operator, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        [at, operator, action, target, _json_or_none(before), _json_or_none(after)])
    return cursor.lastrowid


def audit_entries(db: Database, query: str = "", limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """The newest audited changes, optionally filtered by operator, action or target."""
    like = f"%{query}%"
    rows = db.query(
        "SELECT * FROM audit_log WHERE (? = '' OR operator LIKE ? OR action LIKE ? OR target LIKE ?) "
        "ORDER BY id DESC LIMIT ? OFFSET ?", [query, like, like, like, limit, offset])
    return [_decode(row, "before", "after") for row in rows]


def audit_entry(db: Database, audit_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM audit_log WHERE id = ?", [audit_id]))
    return _decode(rows[0], "before", "after") if rows else None


# --- blacklist ------------------------------------------------------------------

def blacklist_rows(db: Database, query: str = "", kind: str = "") -> list[dict[str, Any]]:
    like = f"%{query}%"
    return list(db.query(
        "SELECT * FROM blacklist WHERE (? = '' OR kind = ?) "
        "AND (? = '' OR value LIKE ? OR source LIKE ? OR note LIKE ?) ORDER BY kind, value",
        [kind, kind, query, like, like, like]))


def blacklist_row(db: Database, row_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM blacklist WHERE id = ?", [row_id]))
    return rows[0] if rows else None


def blacklist_find(db: Database, kind: str, value: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM blacklist WHERE kind = ? AND value = ?", [kind, value]))
    return rows[0] if rows else None


def upsert_blacklist(db: Database, kind: str, value: str, source: str, note: str,
                     now: str, by: str) -> int:
    """Add a value, or update its source and note when it is listed already."""
    db.execute(
        """INSERT INTO blacklist (kind, value, source, note, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(kind, value) DO UPDATE SET source = excluded.source, note = excluded.note""",
        [kind, value, source, note, now, by])
    return blacklist_find(db, kind, value)["id"]


def delete_blacklist(db: Database, row_id: int) -> None:
    db.execute("DELETE FROM blacklist WHERE id = ?", [row_id])


def blacklist_all(db: Database) -> list[dict[str, Any]]:
    """Every listed value, for the advisor's in-memory lookup."""
    return list(db.query("SELECT kind, value, source, note FROM blacklist"))


# --- inbox (reads core's messages table) -----------------------------------------

INBOX_COLUMNS = ("id, openid, msg_type, event, content, received_at, reply_content, is_scam, "
                 "category, risk, urgent, outcome, status")

# Messages the advisor analysed (flows such as the quiz leave risk empty) and did not call a scam:
# risk 'none' (not recognised) or 'low' (unsure, it asked a question).
UNRECOGNISED_SQL = ("msg_type IN ('text', 'voice') AND content IS NOT NULL AND content != '' "
                    "AND risk IN ('none', 'low') AND COALESCE(is_scam, 0) = 0")


def recent_messages(db: Database, query: str = "", limit: int = 50, offset: int = 0,
                    unrecognised: bool = False) -> list[dict[str, Any]]:
    """The newest inbound messages with their replies; optionally only unrecognised or unsure ones."""
    where = ["(? = '' OR content LIKE ? OR openid = ?)"]
    params: list[Any] = [query, f"%{query}%", query]
    if unrecognised:
        where.append(UNRECOGNISED_SQL)
    else:
        where.append("msg_type != 'event'")
    rows = db.query(f"SELECT {INBOX_COLUMNS} FROM messages WHERE {' AND '.join(where)} "
                    "ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [_decode(row, "reply_content", "outcome") for row in rows]


def recent_conversations(db: Database, query: str = "", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """One row per resident: their latest message and how many they sent, newest conversation first."""
    rows = db.query(
        f"""SELECT {', '.join('m.' + c.strip() for c in INBOX_COLUMNS.split(','))}, c.n AS message_count
            FROM messages m JOIN (SELECT openid, MAX(id) AS last_id, COUNT(*) AS n FROM messages
                                  WHERE msg_type != 'event' GROUP BY openid) c ON m.id = c.last_id
            WHERE (? = '' OR m.openid = ? OR m.openid IN (SELECT openid FROM messages WHERE content LIKE ?))
            ORDER BY m.received_at DESC, m.id DESC LIMIT ? OFFSET ?""",
        [query, query, f"%{query}%", limit, offset])
    return [_decode(row, "reply_content", "outcome") for row in rows]


def message(db: Database, message_id: int) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT {INBOX_COLUMNS} FROM messages WHERE id = ?", [message_id]))
    return _decode(rows[0], "reply_content", "outcome") if rows else None


def conversation(db: Database, openid: str, limit: int = 50) -> list[dict[str, Any]]:
    """One resident's latest messages, oldest first."""
    rows = list(db.query(f"SELECT {INBOX_COLUMNS} FROM messages WHERE openid = ? "
                         "ORDER BY received_at DESC, id DESC LIMIT ?", [openid, limit]))
    return [_decode(row, "reply_content", "outcome") for row in reversed(rows)]


# --- dashboard (reads core's messages table) ---------------------------------------

# Operators count days in Beijing time, which has no daylight saving: UTC+8 all year.
LOCAL_OFFSET = "+8 hours"

def messages_per_day(db: Database, since: str) -> list[dict[str, Any]]:
    """Per local day since `since`: all resident messages, scams, urgent and unrecognised ones."""
    return list(db.query(
        f"""SELECT date(received_at, ?) AS day, COUNT(*) AS total,
                   SUM(COALESCE(is_scam, 0)) AS scams, SUM(COALESCE(urgent, 0)) AS urgent,
                   SUM(CASE WHEN {UNRECOGNISED_SQL} THEN 1 ELSE 0 END) AS unrecognised
            FROM messages WHERE received_at >= ? AND msg_type IN ('text', 'voice')
            GROUP BY day ORDER BY day""", [LOCAL_OFFSET, since]))


def categories_per_day(db: Database, since: str) -> list[dict[str, Any]]:
    return list(db.query(
        """SELECT date(received_at, ?) AS day, category, COUNT(*) AS n FROM messages
           WHERE received_at >= ? AND is_scam = 1 AND category IS NOT NULL
           GROUP BY day, category ORDER BY day""", [LOCAL_OFFSET, since]))


def category_counts(db: Database, since: str, until: str) -> dict[str, int]:
    rows = db.execute(
        """SELECT category, COUNT(*) FROM messages
           WHERE received_at >= ? AND received_at < ? AND is_scam = 1 AND category IS NOT NULL
           GROUP BY category""", [since, until]).fetchall()
    return {category: count for category, count in rows}


def urgent_messages(db: Database, since: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = db.query(f"SELECT {INBOX_COLUMNS} FROM messages WHERE urgent = 1 AND received_at >= ? "
                    "ORDER BY received_at DESC LIMIT ?", [since, limit])
    return [_decode(row, "reply_content", "outcome") for row in rows]


# --- helpers ----------------------------------------------------------------------

def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decode(row: dict[str, Any], *columns: str) -> dict[str, Any]:
    for column in columns:
        text = row.get(column)
        if text:
            try:
                row[column] = json.loads(text)
            except ValueError:
                pass
    return row
