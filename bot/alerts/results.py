"""MASSSENDJOBFINISH: WeChat's report on a mass send, stored on the batch it belongs to."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.db import alerts as store
from bot.timeutil import to_db

log = logging.getLogger("fanzha.alerts")
_ERR = re.compile(r"err\((\d+)\)")


def job_errcode(status: str | None) -> int | None:
    """The errcode in a job status like 'err(20008)', else None."""
    match = _ERR.search(status or "")
    return int(match.group(1)) if match else None


def record_job_finish(db: Database, fields: dict[str, Any], now: datetime) -> bool:
    """Store sent and error counts from a MASSSENDJOBFINISH event; False if the msg_id is not ours."""
    job = {"status": str(fields.get("Status", "")), "total": _count(fields, "TotalCount"),
           "filter": _count(fields, "FilterCount"), "sent": _count(fields, "SentCount"),
           "error": _count(fields, "ErrorCount")}
    msg_id = str(fields.get("MsgID") or fields.get("MsgId") or "").strip()
    if not msg_id:
        log.warning("MASSSENDJOBFINISH without a MsgID: %r", fields)
        return False
    if store.record_job_finish(db, msg_id, job, to_db(now)) is None:
        log.warning("MASSSENDJOBFINISH for msg_id %s, not (yet) stored on a batch: kept for later", msg_id)
        return False
    log.info("mass send %s finished: %s, sent %s, errors %s", msg_id, job["status"], job["sent"], job["error"])
    return True


def _count(fields: dict[str, Any], name: str) -> int | None:
    try:
        return int(fields.get(name))
    except (TypeError, ValueError):
        return None
