"""The only place with SQL and table names.

Each feature owns one module here with its own `migrations` set (sqlite-utils
Migrations) and the queries it needs. `migrate()` applies every set in order.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from bot.db import alerts, cases, console, core, knowledge

MIGRATION_SETS = [core.migrations, knowledge.migrations, console.migrations,
                  alerts.migrations, cases.migrations]

StoreError = sqlite3.Error


def connect(path: str, busy_timeout_ms: int = 5000) -> sqlite_utils.Database:
    """Open the database with the pragmas every process uses."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return sqlite_utils.Database(conn)


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply every pending migration; return the names applied."""
    applied = []
    for migration_set in MIGRATION_SETS:
        pending = [m.name for m in migration_set.pending(db)]
        migration_set.apply(db)
        applied.extend(f"{migration_set.name}:{name}" for name in pending)
    return applied


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    return [f"{s.name}:{m.name}" for s in MIGRATION_SETS for m in s.pending(db)]


# --- Flask integration: one connection per app context ------------------------

def get_db() -> sqlite_utils.Database:
    """The request's connection, opened on first use and closed at teardown."""
    from flask import current_app, g

    if "db" not in g:
        settings = current_app.config["FANZHA"]
        g.db = connect(settings["storage"]["database"], settings["server"]["db_busy_timeout_ms"])
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    from flask import g

    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
