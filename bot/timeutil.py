"""Time in one format everywhere: UTC text in the database, Asia/Shanghai for people."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DB_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_db(moment: datetime) -> str:
    """An aware datetime as the UTC text stored in every table."""
    return moment.astimezone(timezone.utc).strftime(DB_FORMAT)


def from_db(text: str) -> datetime:
    return datetime.strptime(text[:19], DB_FORMAT).replace(tzinfo=timezone.utc)


def now_text() -> str:
    return to_db(utc_now())


def local_text(text: str | None) -> str:
    """Stored UTC text shown to operators in Beijing time."""
    if not text:
        return ""
    return from_db(text).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
