"""Tables and queries for the cases feature: conversation state, case reports, quiz results.

Also the read-only figures the campaign report takes from other features' tables; those
are read defensively, as a table may not exist on an older database.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database, Migrations

migrations = Migrations("cases")

CASE_STATUSES = ("new", "contacted", "closed")
CASE_LIST_FIELDS = ("phones", "cards", "accounts", "links")


@migrations()
def m001_state_cases_quiz(db: Database) -> None:
    db.execute("""
        CREATE TABLE dialogue_state (
            openid TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE case_reports (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            openid TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'closed')),
            what TEXT NOT NULL DEFAULT '',
            happened TEXT NOT NULL DEFAULT '',
            contact_method TEXT NOT NULL DEFAULT '',
            loss_text TEXT NOT NULL DEFAULT '',
            loss_amount REAL,
            lost INTEGER,
            phones TEXT NOT NULL DEFAULT '[]',
            cards TEXT NOT NULL DEFAULT '[]',
            accounts TEXT NOT NULL DEFAULT '[]',
            links TEXT NOT NULL DEFAULT '[]',
            scammer_text TEXT NOT NULL DEFAULT '',
            callback_phone TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX case_reports_status ON case_reports(status, created_at)")
    db.execute("CREATE INDEX case_reports_created ON case_reports(created_at)")
    db.execute("""
        CREATE TABLE case_notes (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES case_reports(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('note', 'status', 'blacklist')),
            text TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX case_notes_case ON case_notes(case_id, at)")
    db.execute("""
        CREATE TABLE quiz_results (
            id INTEGER PRIMARY KEY,
            openid TEXT NOT NULL,
            score INTEGER NOT NULL,
            total INTEGER NOT NULL,
            passed INTEGER NOT NULL,
            answers TEXT NOT NULL DEFAULT '[]',
            finished_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX quiz_results_finished ON quiz_results(finished_at)")
    db.execute("CREATE INDEX quiz_results_openid ON quiz_results(openid, finished_at)")


@migrations()
def m002_state_version(db: Database) -> None:
    """A version per resident's state, so that two turns at once cannot both move it on."""
    db.execute("ALTER TABLE dialogue_state ADD COLUMN version INTEGER NOT NULL DEFAULT 1")


# --- conversation state -----------------------------------------------------------
# A resident's row is kept once made (an empty state is '{}'), so its version only grows.

def load_state(db: Database, openid: str) -> dict[str, Any] | None:
    return load_state_version(db, openid)[0]


def load_state_version(db: Database, openid: str) -> tuple[dict[str, Any] | None, int]:
    """The resident's state (None when empty) and its version (0 before the first)."""
    row = db.execute("SELECT state, version FROM dialogue_state WHERE openid = ?", [openid]).fetchone()
    if row is None:
        return None, 0
    return json.loads(row[0]) or None, row[1]


def swap_state(db: Database, openid: str, version: int, state: dict[str, Any] | None, now: str) -> bool:
    """Store a new state only if it is still at `version`; False when another turn got there first."""
    text = json.dumps(state or {}, ensure_ascii=False)
    if version == 0:
        return db.execute("INSERT INTO dialogue_state (openid, state, updated_at, version) VALUES (?, ?, ?, 1) "
                          "ON CONFLICT(openid) DO NOTHING", [openid, text, now]).rowcount == 1
    return db.execute("UPDATE dialogue_state SET state = ?, updated_at = ?, version = version + 1 "
                      "WHERE openid = ? AND version = ?", [text, now, openid, version]).rowcount == 1


def save_state(db: Database, openid: str, state: dict[str, Any] | None, now: str) -> None:
    """Store a state whatever the version (moving the version on)."""
    db.execute(
        """INSERT INTO dialogue_state (openid, state, updated_at, version) VALUES (?, ?, ?, 1)
           ON CONFLICT(openid) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
               version = dialogue_state.version + 1""",
        [openid, json.dumps(state or {}, ensure_ascii=False), now])


# --- case reports -------------------------------------------------------------------

def insert_case(db: Database, fields: dict[str, Any], now: str) -> int:
    """Store a finished case report; list fields are stored as JSON."""
    values = {key: (json.dumps(value, ensure_ascii=False) if key in CASE_LIST_FIELDS else value)
              for key, value in fields.items()}
    values.update(created_at=now, updated_at=now, status="new")
    columns = ", ".join(values)
    cursor = db.execute(f"INSERT INTO case_reports ({columns}) VALUES ({', '.join('?' * len(values))})",
                        list(values.values()))
    return cursor.lastrowid


def case(db: Database, case_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM case_reports WHERE id = ?", [case_id]))
    return _decode_case(rows[0]) if rows else None


def case_by_ref(db: Database, ref: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM case_reports WHERE ref = ?", [ref]))
    return _decode_case(rows[0]) if rows else None


def cases(db: Database, status: str = "", query: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Case reports, newest first, optionally of one status or matching a word."""
    like = f"%{query}%"
    rows = db.query(
        """SELECT * FROM case_reports WHERE (? = '' OR status = ?)
             AND (? = '' OR ref LIKE ? OR what LIKE ? OR phones LIKE ? OR cards LIKE ?
                  OR accounts LIKE ? OR links LIKE ?)
           ORDER BY created_at DESC, id DESC LIMIT ?""",
        [status, status, query, like, like, like, like, like, like, limit])
    return [_decode_case(row) for row in rows]


def status_counts(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT status, COUNT(*) FROM case_reports GROUP BY status").fetchall()
    return {status: dict(rows).get(status, 0) for status in CASE_STATUSES}


def set_case_status(db: Database, case_id: int, status: str, operator: str, now: str) -> None:
    """Move a case to a status and note who did it."""
    if status not in CASE_STATUSES:
        raise ValueError(f"unknown case status {status!r}")
    db.execute("UPDATE case_reports SET status = ?, updated_at = ? WHERE id = ?", [status, now, case_id])
    add_case_note(db, case_id, operator, "status", status, now)


def add_case_note(db: Database, case_id: int, operator: str, kind: str, text: str, now: str) -> int:
    cursor = db.execute("INSERT INTO case_notes (case_id, at, operator, kind, text) VALUES (?, ?, ?, ?, ?)",
                        [case_id, now, operator, kind, text])
    db.execute("UPDATE case_reports SET updated_at = ? WHERE id = ?", [now, case_id])
    return cursor.lastrowid


def case_notes(db: Database, case_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM case_notes WHERE case_id = ? ORDER BY at, id", [case_id]))


def _decode_case(row: dict[str, Any]) -> dict[str, Any]:
    for key in CASE_LIST_FIELDS:
        row[key] = json.loads(row[key] or "[]")
    return row


# --- quiz results ----------------------------------------------------------------------

def insert_quiz_result(db: Database, openid: str, score: int, total: int, passed: bool,
                       answers: list[Any], now: str) -> int:
    cursor = db.execute(
        "INSERT INTO quiz_results (openid, score, total, passed, answers, finished_at) VALUES (?, ?, ?, ?, ?, ?)",
        [openid, score, total, int(passed), json.dumps(answers, ensure_ascii=False), now])
    return cursor.lastrowid


def latest_quiz_results(db: Database, since: str, until: str) -> list[dict[str, Any]]:
    """Each resident's latest finished quiz in [since, until): who passed, and when."""
    return list(db.query(
        """SELECT openid, score, total, passed, finished_at FROM quiz_results AS q
           WHERE finished_at >= ? AND finished_at < ?
             AND id = (SELECT MAX(id) FROM quiz_results AS r
                       WHERE r.openid = q.openid AND r.finished_at >= ? AND r.finished_at < ?)
           ORDER BY finished_at""", [since, until, since, until]))


def quiz_attempts(db: Database, since: str, until: str) -> int:
    return db.execute("SELECT COUNT(*) FROM quiz_results WHERE finished_at >= ? AND finished_at < ?",
                      [since, until]).fetchone()[0]


# --- campaign figures ----------------------------------------------------------------------

# Resident messages that asked something: not answers given inside a report, the quiz or settings
# (the dialogue marks those with their flow; a check is a consultation).
_NOT_IN_A_FLOW = ("COALESCE(CASE WHEN json_valid(outcome) THEN json_extract(outcome, '$.flow') END, 'check') "
                  "= 'check'")
CONSULTATION_SQL = ("msg_type IN ('text', 'voice', 'link') AND received_at >= ? AND received_at < ? "
                    f"AND {_NOT_IN_A_FLOW}")


def consultation_counts(db: Database, since: str, until: str) -> dict[str, int]:
    """Resident messages in the window: all, from how many residents, scams, urgent ones."""
    row = db.execute(
        f"""SELECT COUNT(*), COUNT(DISTINCT openid), SUM(COALESCE(is_scam, 0)), SUM(COALESCE(urgent, 0))
            FROM messages WHERE {CONSULTATION_SQL}""", [since, until]).fetchone()
    checks = db.execute(f"SELECT COUNT(*) FROM messages WHERE {CONSULTATION_SQL} "
                        "AND json_valid(outcome) AND json_extract(outcome, '$.checked') IS NOT NULL",
                        [since, until]).fetchone()[0]
    return {"messages": row[0], "residents": row[1], "scams": row[2] or 0, "urgent": row[3] or 0,
            "checks": checks}


def consultation_categories(db: Database, since: str, until: str) -> list[tuple[str, int]]:
    rows = db.execute(
        f"""SELECT category, COUNT(*) AS n FROM messages
            WHERE {CONSULTATION_SQL} AND is_scam = 1 AND category IS NOT NULL
            GROUP BY category ORDER BY n DESC, category""", [since, until]).fetchall()
    return [(category, count) for category, count in rows]


def case_figures(db: Database, since: str, until: str) -> dict[str, Any]:
    """Case reports created in the window: how many, how many with a loss, the losses reported."""
    row = db.execute(
        """SELECT COUNT(*), SUM(CASE WHEN lost = 1 THEN 1 ELSE 0 END), SUM(COALESCE(loss_amount, 0))
           FROM case_reports WHERE created_at >= ? AND created_at < ?""", [since, until]).fetchone()
    return {"reported": row[0], "with_loss": row[1] or 0, "loss_total": float(row[2] or 0)}


def per_local_day(db: Database, series: str, since: str, until: str, offset: str) -> dict[str, int]:
    """Counts per local day (`offset` like '+8 hours') of one known series in the window."""
    table, column = _DAY_SERIES[series]
    rows = db.execute(
        f"SELECT date({column}, ?) AS day, COUNT(*) FROM {table} "
        f"AND {column} >= ? AND {column} < ? GROUP BY day", [offset, since, until]).fetchall()
    return dict(rows)


_DAY_SERIES = {
    "consultations": (f"messages WHERE msg_type IN ('text', 'voice', 'link') AND {_NOT_IN_A_FLOW}",
                      "received_at"),
    "urgent": ("messages WHERE urgent = 1", "received_at"),
    "cases": ("case_reports WHERE 1", "created_at"),
    "quiz": ("quiz_results WHERE 1", "finished_at"),
}


def quiz_results_between(db: Database, since: str, until: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT openid, score, total, passed, finished_at FROM quiz_results "
                         "WHERE finished_at >= ? AND finished_at < ? ORDER BY finished_at, id",
                         [since, until]))


def resident_groups(db: Database) -> dict[str, list[str]]:
    """Each subscribed resident's street and group tags (the alerts feature's table), if any."""
    if not {"openid", "groups", "area"} <= table_columns(db, "subscriptions"):
        return {}
    found: dict[str, list[str]] = {}
    for row in db.query("SELECT openid, area, groups FROM subscriptions"):
        tags = [row["area"]] if row["area"] else []
        try:
            tags += [str(tag) for tag in json.loads(row["groups"] or "[]")]
        except ValueError:
            pass
        found[row["openid"]] = tags
    return found


# The worker's run outcomes that reached someone (see bot.alerts.worker).
SENT_RUN_STATUSES = ("sent", "partial")


def alert_figures(db: Database, since: str, until: str) -> dict[str, int] | None:
    """Alert runs sent in the window and how many residents they reached; None without the tables."""
    if not {"alert_runs", "alert_batches", "alert_deliveries"} <= set(db.table_names()):
        return None
    marks = ", ".join("?" * len(SENT_RUN_STATUSES))
    rows = db.execute(
        f"""SELECT r.id,
                   (SELECT SUM(sent_count) FROM alert_batches AS b WHERE b.run_id = r.id),
                   (SELECT COUNT(*) FROM alert_deliveries AS d WHERE d.run_id = r.id AND d.status = 'sent')
            FROM alert_runs AS r
            WHERE COALESCE(r.started_at, r.created_at) >= ? AND COALESCE(r.started_at, r.created_at) < ?
              AND r.status IN ({marks})""", [since, until, *SENT_RUN_STATUSES]).fetchall()
    reach = sum(max(mass or 0, delivered or 0) for _, mass, delivered in rows)
    return {"sent": len(rows), "reach": reach}


def has_table(db: Database, name: str) -> bool:
    return db[name].exists()


def table_columns(db: Database, name: str) -> set[str]:
    return set(db[name].columns_dict) if db[name].exists() else set()


def new_blacklist_entries(db: Database, since: str, until: str) -> dict[str, int] | None:
    """Blacklist entries added in the window, per kind; None without the console's table."""
    if not has_table(db, "blacklist"):
        return None
    rows = db.execute("SELECT kind, COUNT(*) FROM blacklist WHERE created_at >= ? AND created_at < ? "
                      "GROUP BY kind ORDER BY kind", [since, until]).fetchall()
    return dict(rows)
