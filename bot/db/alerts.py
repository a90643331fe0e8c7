"""Tables and queries for the alerts feature: the shared token, subscriptions, tags, alerts and runs.

Times people read are UTC text (bot.timeutil.to_db); leases and retry times are epoch seconds
(REAL) because workers compare them to the sub-second.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database, Migrations

from bot.db.tx import transaction  # noqa: F401  (callers use it from here)

migrations = Migrations("alerts")


@migrations()
def m001_token_rate_subscriptions_tags(db: Database) -> None:
    db.execute("""
        CREATE TABLE wechat_tokens (
            app_id TEXT PRIMARY KEY,
            access_token TEXT,
            expires_at REAL NOT NULL DEFAULT 0,
            refresh_lease_until REAL NOT NULL DEFAULT 0,
            refreshed_at REAL
        )""")
    db.execute("CREATE TABLE api_rate (minute INTEGER PRIMARY KEY, calls INTEGER NOT NULL)")
    db.execute("""
        CREATE TABLE subscriptions (
            openid TEXT PRIMARY KEY,
            opted_in INTEGER NOT NULL DEFAULT 0,
            area TEXT,
            groups TEXT NOT NULL DEFAULT '[]',
            updated_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE wechat_tags (
            name TEXT PRIMARY KEY,
            tag_id INTEGER,
            created_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE tag_sync (
            id INTEGER PRIMARY KEY,
            openid TEXT NOT NULL,
            tag_name TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('tag', 'untag')),
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            done_at TEXT
        )""")
    # At most one pending intent per (resident, tag): the latest wins, so batches never reorder.
    db.execute("CREATE UNIQUE INDEX tag_sync_pending ON tag_sync(openid, tag_name) WHERE status = 'pending'")


@migrations()
def m002_alerts_runs_batches_deliveries(db: Database) -> None:
    db.execute("""
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            audience TEXT NOT NULL CHECK (audience IN ('all', 'tags', 'opted_in')),
            tags TEXT NOT NULL DEFAULT '[]',
            channel TEXT NOT NULL CHECK (channel IN ('mass', 'custom')),
            schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('now', 'at', 'daily', 'weekly')),
            schedule_at TEXT,
            schedule_time TEXT,
            schedule_weekday INTEGER,
            next_run_at TEXT,
            status TEXT NOT NULL DEFAULT 'draft',
            created_by TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            preview_openid TEXT,
            preview_hash TEXT,
            previewed_at TEXT
        )""")
    db.execute("CREATE INDEX alerts_due ON alerts(status, next_run_at)")
    db.execute("""
        CREATE TABLE alert_runs (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            scheduled_for TEXT NOT NULL,
            content TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_until REAL NOT NULL DEFAULT 0,
            prepared_at TEXT,
            errcode INTEGER,
            errmsg TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            UNIQUE (alert_id, scheduled_for)
        )""")
    db.execute("CREATE INDEX alert_runs_due ON alert_runs(status, next_attempt_at)")
    db.execute("""
        CREATE TABLE alert_batches (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES alert_runs(id),
            part INTEGER NOT NULL,
            target TEXT NOT NULL CHECK (target IN ('all', 'tag', 'openids')),
            tag_id INTEGER,
            clientmsgid TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'pending',
            msg_id TEXT,
            msg_data_id TEXT,
            errcode INTEGER,
            errmsg TEXT,
            job_status TEXT,
            total_count INTEGER,
            filter_count INTEGER,
            sent_count INTEGER,
            error_count INTEGER,
            sent_at TEXT,
            finished_at TEXT,
            UNIQUE (run_id, part)
        )""")
    db.execute("CREATE INDEX alert_batches_msg ON alert_batches(msg_id)")
    db.execute("""
        CREATE TABLE alert_deliveries (
            run_id INTEGER NOT NULL REFERENCES alert_runs(id),
            openid TEXT NOT NULL,
            part INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            possible_duplicate INTEGER NOT NULL DEFAULT 0,
            errcode INTEGER,
            errmsg TEXT,
            claimed_at TEXT,
            sent_at TEXT,
            PRIMARY KEY (run_id, openid)
        )""")


@migrations()
def m003_mass_job_reports(db: Database) -> None:
    # MASSSENDJOBFINISH can arrive before a restarted worker has stored the msg_id it belongs to;
    # the report waits here and is applied when the msg_id is stored.
    db.execute("""
        CREATE TABLE mass_job_reports (
            msg_id TEXT PRIMARY KEY,
            job_status TEXT,
            total_count INTEGER,
            filter_count INTEGER,
            sent_count INTEGER,
            error_count INTEGER,
            received_at TEXT NOT NULL
        )""")




def _one(db: Database, sql: str, params: list | tuple = ()) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


# --- the access token: one owner shared by every process ----------------------

def stored_token(db: Database, app_id: str) -> dict[str, Any] | None:
    return _one(db, "SELECT * FROM wechat_tokens WHERE app_id = ?", [app_id])


def take_refresh_lease(db: Database, app_id: str, now: float, seconds: float) -> bool:
    """True for exactly one caller while the lease lasts: that caller refreshes the token."""
    db.execute("INSERT OR IGNORE INTO wechat_tokens (app_id) VALUES (?)", [app_id])
    cursor = db.execute(
        "UPDATE wechat_tokens SET refresh_lease_until = ? WHERE app_id = ? AND refresh_lease_until < ?",
        [now + seconds, app_id, now])
    return cursor.rowcount == 1


def save_token(db: Database, app_id: str, token: str, expires_at: float, now: float) -> None:
    db.execute("UPDATE wechat_tokens SET access_token = ?, expires_at = ?, refreshed_at = ?, "
               "refresh_lease_until = 0 WHERE app_id = ?", [token, expires_at, now, app_id])


def release_refresh_lease(db: Database, app_id: str) -> None:
    db.execute("UPDATE wechat_tokens SET refresh_lease_until = 0 WHERE app_id = ?", [app_id])


# --- the per-minute API budget, shared by every process ----------------------

def take_api_call(db: Database, minute: int, limit: int) -> bool:
    """Count one call in this minute's budget; False when the budget is spent."""
    cursor = db.execute(
        "INSERT INTO api_rate (minute, calls) VALUES (?, 1) "
        "ON CONFLICT(minute) DO UPDATE SET calls = calls + 1 WHERE calls < ?", [minute, limit])
    if cursor.rowcount and minute % 10 == 0:
        db.execute("DELETE FROM api_rate WHERE minute < ?", [minute - 60])
    return cursor.rowcount == 1


# --- subscriptions -------------------------------------------------------------

def subscription(db: Database, openid: str) -> dict[str, Any] | None:
    row = _one(db, "SELECT * FROM subscriptions WHERE openid = ?", [openid])
    if row:
        row["groups"] = json.loads(row["groups"])
    return row


def save_subscription(db: Database, openid: str, opted_in: bool, area: str | None,
                      groups: list[str], now: str) -> None:
    db.execute(
        """INSERT INTO subscriptions (openid, opted_in, area, groups, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(openid) DO UPDATE SET opted_in = excluded.opted_in, area = excluded.area,
               groups = excluded.groups, updated_at = excluded.updated_at""",
        [openid, int(opted_in), area, json.dumps(groups, ensure_ascii=False), now])


def subscription_counts(db: Database) -> dict[str, int]:
    row = _one(db, "SELECT COUNT(*) AS total, COALESCE(SUM(opted_in), 0) AS opted_in FROM subscriptions")
    return {"total": row["total"], "opted_in": row["opted_in"]}


def opted_in_openids(db: Database) -> list[str]:
    """Opted-in residents who still follow the account, sorted (batches must be deterministic)."""
    return [r["openid"] for r in db.query(
        """SELECT s.openid FROM subscriptions s LEFT JOIN followers f ON f.openid = s.openid
           WHERE s.opted_in = 1 AND COALESCE(f.subscribed, 1) = 1 ORDER BY s.openid""")]


def openids_with_tags(db: Database, tags: list[str]) -> list[str]:
    """Opted-in followers whose area or groups include any of the tags, sorted."""
    wanted = set(tags)
    found = []
    for row in db.query("""SELECT s.openid, s.area, s.groups FROM subscriptions s
                           LEFT JOIN followers f ON f.openid = s.openid
                           WHERE s.opted_in = 1 AND COALESCE(f.subscribed, 1) = 1 ORDER BY s.openid"""):
        if wanted & ({row["area"]} | set(json.loads(row["groups"]))):
            found.append(row["openid"])
    return found


def following_openids(db: Database) -> list[str]:
    return [r["openid"] for r in db.query(
        "SELECT openid FROM followers WHERE subscribed = 1 ORDER BY openid")]


def active_since(db: Database, openids: list[str], since: str) -> set[str]:
    """Those of the OpenIDs who wrote to the account at or after `since` (the 48-hour window)."""
    active = set()
    for start in range(0, len(openids), 500):
        chunk = openids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        active.update(r["openid"] for r in db.query(
            f"SELECT openid FROM followers WHERE openid IN ({marks}) AND last_message_at >= ?",
            [*chunk, since]))
    return active


# --- tags and the tag-sync queue -----------------------------------------------

def tag_id(db: Database, name: str) -> int | None:
    row = _one(db, "SELECT tag_id FROM wechat_tags WHERE name = ?", [name])
    return row["tag_id"] if row else None


def save_tag(db: Database, name: str, tag_id_: int, now: str) -> None:
    db.execute("INSERT INTO wechat_tags (name, tag_id, created_at) VALUES (?, ?, ?) "
               "ON CONFLICT(name) DO UPDATE SET tag_id = excluded.tag_id", [name, tag_id_, now])


def known_tags(db: Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM wechat_tags ORDER BY name"))


def enqueue_tag_change(db: Database, openid: str, tag_name: str, action: str, now: str) -> None:
    """Queue tagging or untagging; a still-pending opposite intent is replaced, not stacked."""
    db.execute(
        """INSERT INTO tag_sync (openid, tag_name, action, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(openid, tag_name) WHERE status = 'pending'
           DO UPDATE SET action = excluded.action, attempts = 0, next_attempt_at = 0""",
        [openid, tag_name, action, now])


def next_tag_batch(db: Database, now: float, size: int = 50) -> list[dict[str, Any]]:
    """Up to `size` due pending rows sharing the oldest due row's tag and action."""
    first = _one(db, "SELECT tag_name, action FROM tag_sync WHERE status = 'pending' "
                     "AND next_attempt_at <= ? ORDER BY id LIMIT 1", [now])
    if first is None:
        return []
    return list(db.query(
        "SELECT * FROM tag_sync WHERE status = 'pending' AND next_attempt_at <= ? AND tag_name = ? "
        "AND action = ? ORDER BY id LIMIT ?", [now, first["tag_name"], first["action"], size]))


def finish_tag_rows(db: Database, ids: list[int], now: str) -> None:
    marks = ", ".join("?" * len(ids))
    db.execute(f"UPDATE tag_sync SET status = 'done', done_at = ? WHERE id IN ({marks}) "
               "AND status = 'pending'", [now, *ids])


def retry_tag_rows(db: Database, ids: list[int], error: str, next_attempt_at: float,
                   max_attempts: int) -> None:
    marks = ", ".join("?" * len(ids))
    db.execute(
        f"""UPDATE tag_sync SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE status END
            WHERE id IN ({marks}) AND status = 'pending'""", [error, next_attempt_at, max_attempts, *ids])


def fail_tag_rows(db: Database, ids: list[int], error: str) -> None:
    marks = ", ".join("?" * len(ids))
    db.execute(f"UPDATE tag_sync SET status = 'failed', last_error = ?, attempts = attempts + 1 "
               f"WHERE id IN ({marks}) AND status = 'pending'", [error, *ids])


def tag_sync_counts(db: Database) -> dict[str, int]:
    return {r["status"]: r["n"] for r in db.query(
        "SELECT status, COUNT(*) AS n FROM tag_sync GROUP BY status")}


# --- alerts ----------------------------------------------------------------------

ALERT_FIELDS = ("title", "content", "audience", "tags", "channel", "schedule_kind", "schedule_at",
                "schedule_time", "schedule_weekday", "next_run_at", "status", "created_by")


def insert_alert(db: Database, fields: dict[str, Any], now: str) -> int:
    values = {name: fields.get(name) for name in ALERT_FIELDS}
    values["tags"] = json.dumps(values["tags"] or [], ensure_ascii=False)
    values.update(created_at=now, updated_at=now)
    names = list(values)
    cursor = db.execute(f"INSERT INTO alerts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                        [values[n] for n in names])
    return cursor.lastrowid


def alert(db: Database, alert_id: int) -> dict[str, Any] | None:
    row = _one(db, "SELECT * FROM alerts WHERE id = ?", [alert_id])
    if row:
        row["tags"] = json.loads(row["tags"])
    return row


def alerts(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    rows = list(db.query("SELECT * FROM alerts ORDER BY id DESC LIMIT ?", [limit]))
    for row in rows:
        row["tags"] = json.loads(row["tags"])
    return rows


def record_preview(db: Database, alert_id: int, openid: str, content_hash: str, now: str) -> None:
    db.execute("UPDATE alerts SET preview_openid = ?, preview_hash = ?, previewed_at = ?, updated_at = ? "
               "WHERE id = ?", [openid, content_hash, now, now, alert_id])


def set_alert_status(db: Database, alert_id: int, status: str, now: str, *, from_status: tuple[str, ...],
                     next_run_at: str | None = None) -> bool:
    marks = ", ".join("?" * len(from_status))
    cursor = db.execute(
        f"UPDATE alerts SET status = ?, updated_at = ?, next_run_at = COALESCE(?, next_run_at) "
        f"WHERE id = ? AND status IN ({marks})", [status, now, next_run_at, alert_id, *from_status])
    return cursor.rowcount == 1


def cancel_alert(db: Database, alert_id: int, now: str) -> bool:
    """Cancel an alert and the runs not yet started; a run already sending finishes on its own."""
    with transaction(db):
        changed = db.execute("UPDATE alerts SET status = 'cancelled', next_run_at = NULL, updated_at = ? "
                             "WHERE id = ? AND status IN ('draft', 'scheduled')", [now, alert_id]).rowcount
        db.execute("UPDATE alert_runs SET status = 'cancelled', finished_at = ? WHERE alert_id = ? "
                   "AND status IN ('pending', 'waiting') AND prepared_at IS NULL", [now, alert_id])
    return changed == 1


def due_alerts(db: Database, now: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alerts WHERE status = 'scheduled' AND next_run_at <= ? "
                         "ORDER BY next_run_at, id", [now]))


def materialize_run(db: Database, alert_row: dict[str, Any], scheduled_for: str, next_run_at: str | None,
                    finished: bool, now: str) -> bool:
    """Create the run for the alert's due time and move the alert on, once even with two workers."""
    with transaction(db):
        moved = db.execute(
            "UPDATE alerts SET next_run_at = ?, status = ?, updated_at = ? WHERE id = ? "
            "AND status = 'scheduled' AND next_run_at = ?",
            [next_run_at, "finished" if finished else "scheduled", now, alert_row["id"],
             alert_row["next_run_at"]]).rowcount
        if not moved:
            return False
        db.execute("INSERT OR IGNORE INTO alert_runs (alert_id, scheduled_for, content, channel, "
                   "created_at) VALUES (?, ?, ?, ?, ?)",
                   [alert_row["id"], scheduled_for, alert_row["content"], alert_row["channel"], now])
    return True


# --- runs: claim, lease, finish ------------------------------------------------

def claim_run(db: Database, owner: str, now: float, lease_seconds: float, started: str) -> dict | None:
    """Atomically take one due run (or one whose owner's lease ran out); None when nothing is due."""
    row = db.execute(
        """UPDATE alert_runs SET status = 'running', lease_owner = ?, lease_until = ?,
               started_at = COALESCE(started_at, ?)
           WHERE id = (SELECT id FROM alert_runs
                       WHERE (status IN ('pending', 'waiting') AND next_attempt_at <= ?)
                          OR (status = 'running' AND lease_until < ?)
                       ORDER BY scheduled_for, id LIMIT 1)
           RETURNING id""", [owner, now + lease_seconds, started, now, now]).fetchall()
    return run(db, row[0][0]) if row else None


def renew_lease(db: Database, run_id: int, owner: str, until: float) -> bool:
    """Extend our lease; False means another worker took the run over and we must stop."""
    return db.execute("UPDATE alert_runs SET lease_until = ? WHERE id = ? AND lease_owner = ? "
                      "AND status = 'running'", [until, run_id, owner]).rowcount == 1


def run(db: Database, run_id: int) -> dict[str, Any] | None:
    return _one(db, "SELECT * FROM alert_runs WHERE id = ?", [run_id])


def runs_for_alert(db: Database, alert_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alert_runs WHERE alert_id = ? ORDER BY scheduled_for DESC, id DESC",
                         [alert_id]))


def release_run(db: Database, run_id: int, owner: str, status: str, next_attempt_at: float = 0,
                errcode: int | None = None, errmsg: str | None = None, finished: str | None = None,
                count_attempt: bool = False) -> bool:
    """Leave a run in its next state, if we still own it."""
    return db.execute(
        """UPDATE alert_runs SET status = ?, next_attempt_at = ?, errcode = ?, errmsg = ?, finished_at = ?,
               lease_owner = NULL, lease_until = 0, attempts = attempts + ?
           WHERE id = ? AND lease_owner = ? AND status = 'running'""",
        [status, next_attempt_at, errcode, errmsg, finished, int(count_attempt), run_id, owner]).rowcount == 1


def prepare_run(db: Database, run_id: int, owner: str, batches: list[dict[str, Any]],
                deliveries: list[tuple[str, int, str]], now: str) -> bool:
    """Snapshot the run's audience once, atomically: its batches and per-recipient records."""
    with transaction(db):
        current = _one(db, "SELECT prepared_at, lease_owner FROM alert_runs WHERE id = ?", [run_id])
        if current is None or current["lease_owner"] != owner:
            return False
        if current["prepared_at"]:
            return True
        for batch in batches:
            db.execute("INSERT OR IGNORE INTO alert_batches (run_id, part, target, tag_id, clientmsgid) "
                       "VALUES (?, ?, ?, ?, ?)",
                       [run_id, batch["part"], batch["target"], batch.get("tag_id"), batch["clientmsgid"]])
        db.conn.executemany("INSERT OR IGNORE INTO alert_deliveries (run_id, openid, part, status) "
                            "VALUES (?, ?, ?, ?)", [(run_id, o, p, s) for o, p, s in deliveries])
        db.execute("UPDATE alert_runs SET prepared_at = ? WHERE id = ?", [now, run_id])
    return True


# --- batches (mass sends) ----------------------------------------------------------

def batches(db: Database, run_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alert_batches WHERE run_id = ? ORDER BY part", [run_id]))


def batch_openids(db: Database, run_id: int, part: int) -> list[str]:
    return [r["openid"] for r in db.query(
        "SELECT openid FROM alert_deliveries WHERE run_id = ? AND part = ? ORDER BY openid", [run_id, part])]


def mark_batch(db: Database, batch_id: int, status: str, now: str, msg_id: str | None = None,
               msg_data_id: str | None = None, errcode: int | None = None, errmsg: str | None = None) -> None:
    db.execute("UPDATE alert_batches SET status = ?, msg_id = COALESCE(?, msg_id), "
               "msg_data_id = COALESCE(?, msg_data_id), errcode = ?, errmsg = ?, sent_at = ? WHERE id = ?",
               [status, msg_id, msg_data_id, errcode, errmsg, now, batch_id])
    if msg_id:
        _apply_job_report(db, msg_id)  # the report may have come in first
    if status in ("sent", "failed"):
        db.execute("UPDATE alert_deliveries SET status = ?, sent_at = ? WHERE run_id = "
                   "(SELECT run_id FROM alert_batches WHERE id = ?) AND part = "
                   "(SELECT part FROM alert_batches WHERE id = ?) AND status = 'pending'",
                   [status, now, batch_id, batch_id])


def record_job_finish(db: Database, msg_id: str, job: dict[str, Any], now: str) -> dict | None:
    """Keep a MASSSENDJOBFINISH report and apply it to the batch with that msg_id; the batch, or None."""
    db.execute(
        """INSERT INTO mass_job_reports (msg_id, job_status, total_count, filter_count, sent_count, error_count,
               received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(msg_id) DO UPDATE SET job_status = excluded.job_status, total_count = excluded.total_count,
               filter_count = excluded.filter_count, sent_count = excluded.sent_count,
               error_count = excluded.error_count, received_at = excluded.received_at""",
        [msg_id, job["status"], job["total"], job["filter"], job["sent"], job["error"], now])
    return _apply_job_report(db, msg_id)


def _apply_job_report(db: Database, msg_id: str) -> dict | None:
    cursor = db.execute(
        """UPDATE alert_batches SET (job_status, total_count, filter_count, sent_count, error_count, finished_at) =
               (SELECT job_status, total_count, filter_count, sent_count, error_count, received_at
                FROM mass_job_reports WHERE msg_id = ?)
           WHERE msg_id = ? AND EXISTS (SELECT 1 FROM mass_job_reports WHERE msg_id = ?)""",
        [msg_id, msg_id, msg_id])
    if not cursor.rowcount:
        return None
    return _one(db, "SELECT * FROM alert_batches WHERE msg_id = ?", [msg_id])


# --- deliveries (customer-service fan-out) ------------------------------------------

def pending_deliveries(db: Database, run_id: int, limit: int = 100) -> list[str]:
    return [r["openid"] for r in db.query(
        "SELECT openid FROM alert_deliveries WHERE run_id = ? AND status = 'pending' ORDER BY openid LIMIT ?",
        [run_id, limit])]


def stranded_deliveries(db: Database, run_id: int) -> list[str]:
    """Recipients left 'sending' by a worker that died between claim and mark."""
    return [r["openid"] for r in db.query(
        "SELECT openid FROM alert_deliveries WHERE run_id = ? AND status = 'sending'", [run_id])]


def claim_delivery(db: Database, run_id: int, openid: str, now: str) -> bool:
    """Write the intent before the API call; only one worker can move a recipient to 'sending'."""
    return db.execute("UPDATE alert_deliveries SET status = 'sending', claimed_at = ?, attempts = attempts + 1 "
                      "WHERE run_id = ? AND openid = ? AND status = 'pending'", [now, run_id, openid]).rowcount == 1


def mark_delivery(db: Database, run_id: int, openid: str, status: str, now: str,
                  errcode: int | None = None, errmsg: str | None = None,
                  possible_duplicate: bool = False) -> None:
    db.execute("UPDATE alert_deliveries SET status = ?, errcode = ?, errmsg = ?, "
               "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
               "possible_duplicate = MAX(possible_duplicate, ?) WHERE run_id = ? AND openid = ?",
               [status, errcode, errmsg, status, now, int(possible_duplicate), run_id, openid])


def delivery_counts(db: Database, run_id: int) -> dict[str, int]:
    counts = {r["status"]: r["n"] for r in db.query(
        "SELECT status, COUNT(*) AS n FROM alert_deliveries WHERE run_id = ? GROUP BY status", [run_id])}
    dup = _one(db, "SELECT COUNT(*) AS n FROM alert_deliveries WHERE run_id = ? AND possible_duplicate = 1",
               [run_id])
    counts["possible_duplicate"] = dup["n"]
    return counts


def failed_deliveries(db: Database, run_id: int, limit: int = 200) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM alert_deliveries WHERE run_id = ? AND status IN ('failed', 'unknown', "
                         "'skipped') ORDER BY status, openid LIMIT ?", [run_id, limit]))


# --- quotas ---------------------------------------------------------------------------

def mass_runs_between(db: Database, start: str, end: str, exclude_alert: int | None = None) -> list[dict]:
    """Mass-send runs planned or done in [start, end): what the quota counts."""
    return list(db.query(
        "SELECT r.*, a.audience, a.tags FROM alert_runs r JOIN alerts a ON a.id = r.alert_id "
        "WHERE r.channel = 'mass' AND r.status NOT IN ('cancelled', 'failed') "
        "AND r.scheduled_for >= ? AND r.scheduled_for < ? AND r.alert_id IS NOT ?",
        [start, end, exclude_alert]))


def scheduled_mass_alerts(db: Database, exclude_alert: int | None = None) -> list[dict[str, Any]]:
    rows = list(db.query("SELECT * FROM alerts WHERE channel = 'mass' AND status = 'scheduled' "
                         "AND id IS NOT ?", [exclude_alert]))
    for row in rows:
        row["tags"] = json.loads(row["tags"])
    return rows
