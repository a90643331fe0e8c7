"""Tables and queries for the webhook: inbound messages with their replies, nonces, followers."""

from __future__ import annotations

import json
import random
from typing import Any

from sqlite_utils import Database, Migrations

migrations = Migrations("core")


@migrations()
def m001_messages_nonces_followers(db: Database) -> None:
    db.execute("""
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            dedup_key TEXT NOT NULL UNIQUE,
            openid TEXT NOT NULL,
            account TEXT,
            msg_type TEXT NOT NULL,
            event TEXT,
            content TEXT,
            raw TEXT,
            wechat_time INTEGER,
            received_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'received',
            reply_type TEXT,
            reply_content TEXT,
            replied_at TEXT,
            latency_ms REAL,
            is_scam INTEGER,
            category TEXT,
            risk TEXT,
            urgent INTEGER,
            outcome TEXT,
            error TEXT
        )""")
    db.execute("CREATE INDEX messages_openid ON messages(openid, received_at)")
    db.execute("CREATE INDEX messages_received ON messages(received_at)")
    db.execute("""
        CREATE TABLE nonces (
            timestamp INTEGER NOT NULL,
            nonce TEXT NOT NULL,
            body_hash TEXT NOT NULL,
            seen_at REAL NOT NULL,
            PRIMARY KEY (timestamp, nonce)
        )""")
    db.execute("CREATE INDEX nonces_seen ON nonces(seen_at)")
    db.execute("""
        CREATE TABLE followers (
            openid TEXT PRIMARY KEY,
            first_seen TEXT NOT NULL,
            last_message_at TEXT,
            subscribed INTEGER NOT NULL DEFAULT 1,
            subscribed_at TEXT,
            unsubscribed_at TEXT,
            scene TEXT
        )""")


# --- nonces -----------------------------------------------------------------

def remember_nonce(db: Database, timestamp: int, nonce: str, body_hash: str, now: float,
                   window_seconds: int) -> str:
    """Record a (timestamp, nonce) pair: 'new', 'same' (a retry of the same body) or 'conflict'."""
    inserted = db.execute(
        "INSERT OR IGNORE INTO nonces (timestamp, nonce, body_hash, seen_at) VALUES (?, ?, ?, ?)",
        [timestamp, nonce, body_hash, now]).rowcount
    if inserted:
        if random.random() < 0.02:  # prune now and then, not on every request
            db.execute("DELETE FROM nonces WHERE seen_at < ?", [now - 2 * window_seconds])
        return "new"
    row = db.execute("SELECT body_hash FROM nonces WHERE timestamp = ? AND nonce = ?",
                     [timestamp, nonce]).fetchone()
    return "same" if row and row[0] == body_hash else "conflict"


# --- messages ---------------------------------------------------------------

MESSAGE_FIELDS = ("openid", "account", "msg_type", "event", "content", "raw", "wechat_time",
                  "received_at")


def claim_message(db: Database, dedup_key: str, fields: dict[str, Any]) -> tuple[int, bool]:
    """Store an inbound message once; return (id, True) when new, (id, False) for a retry."""
    columns = ["dedup_key", *MESSAGE_FIELDS]
    values = [dedup_key, *(fields.get(name) for name in MESSAGE_FIELDS)]
    cursor = db.execute(
        f"INSERT OR IGNORE INTO messages ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        values)
    if cursor.rowcount:
        return cursor.lastrowid, True
    row = db.execute("SELECT id FROM messages WHERE dedup_key = ?", [dedup_key]).fetchone()
    return row[0], False


def record_reply(db: Database, message_id: int, reply: dict[str, Any], verdict: dict[str, Any],
                 latency_ms: float, replied_at: str, status: str = "replied",
                 error: str | None = None) -> bool:
    """Store the reply unless one is already stored: the first reply wins, so retries match it."""
    cursor = db.execute(
        """UPDATE messages SET status = ?, reply_type = ?, reply_content = ?, replied_at = ?,
               latency_ms = ?, is_scam = ?, category = ?, risk = ?, urgent = ?, outcome = ?, error = ?
           WHERE id = ? AND reply_content IS NULL""",
        [status, reply["type"], json.dumps(reply, ensure_ascii=False), replied_at, latency_ms,
         _as_int(verdict.get("is_scam")), verdict.get("category"), verdict.get("risk"),
         _as_int(verdict.get("urgent")), json.dumps(verdict, ensure_ascii=False), error, message_id])
    return bool(cursor.rowcount)


def stored_reply(db: Database, message_id: int) -> dict[str, Any] | None:
    row = db.execute("SELECT reply_content FROM messages WHERE id = ?", [message_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def _as_int(value: Any) -> int | None:
    return None if value is None else int(bool(value))


# --- followers --------------------------------------------------------------

def touch_follower(db: Database, openid: str, now: str, *, wrote: bool) -> None:
    """Note that a follower exists and, when they wrote to us, when (the 48-hour window)."""
    db.execute(
        """INSERT INTO followers (openid, first_seen, last_message_at, subscribed, subscribed_at)
           VALUES (?, ?, ?, 1, ?)
           ON CONFLICT(openid) DO UPDATE SET
               last_message_at = COALESCE(excluded.last_message_at, followers.last_message_at)""",
        [openid, now, now if wrote else None, now])


def set_subscribed(db: Database, openid: str, subscribed: bool, now: str, scene: str | None = None) -> None:
    """Record a subscribe or unsubscribe event."""
    touch_follower(db, openid, now, wrote=subscribed)
    if subscribed:
        db.execute("UPDATE followers SET subscribed = 1, subscribed_at = ?, scene = COALESCE(?, scene) "
                   "WHERE openid = ?", [now, scene, openid])
    else:
        db.execute("UPDATE followers SET subscribed = 0, unsubscribed_at = ? WHERE openid = ?",
                   [now, openid])


def follower(db: Database, openid: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM followers WHERE openid = ?", [openid]))
    return rows[0] if rows else None
