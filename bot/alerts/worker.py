"""`fanzha worker`: turns due alerts into runs, claims them atomically, sends each exactly once.

Exactly once, by channel:
- Mass sends carry a deterministic clientmsgid (alert, due time, part). A worker killed after
  WeChat accepted a send but before we stored the msg_id sends again with the same clientmsgid;
  WeChat answers 45065 with the earlier msg_id, which we store. No duplicate, no loss.
- Customer-service messages have no idempotency key in WeChat's API. Each recipient has a
  record moved pending → sending (committed before the call) → sent/failed (after it). A
  record found 'sending' after a crash is ambiguous: the call may or may not have reached
  WeChat. `alerts.ambiguous_custom_send` decides: "resend" (default: nobody is left unwarned;
  the record is flagged possible_duplicate) or "hold" (never a duplicate; the record becomes
  'unknown' for the operator). That window is one HTTP call per killed worker.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.alerts import schedule as schedules
from bot.alerts.service import WINDOW, audience_openids
from bot.db import alerts as store
from bot.timeutil import from_db, to_db
from bot.wechat.api import PermanentError, QuotaError, TransientError, WeChatAPI, WeChatError

log = logging.getLogger("fanzha.worker")
CUSTOM_PAGE = 100
TAG_BATCH = 50
MAX_BACKOFF_SECONDS = 3600.0


class LeaseLost(Exception):
    """Another worker took the run over (our lease ran out): stop touching it."""


class Stopping(Exception):
    """The worker was asked to stop (SIGTERM): hand the run back between two calls, never mid-call."""


class Worker:
    def __init__(self, config: dict, db: Database, api: WeChatAPI, owner: str | None = None,
                 clock: Callable[[], float] = time.time):
        alerts = config["alerts"]
        self.db, self.api, self.clock = db, api, clock
        self.tz = ZoneInfo(alerts["timezone"])
        self.lease = alerts["lease_seconds"]
        self.retry_base = alerts["retry_base_seconds"]
        self.max_attempts = alerts["max_attempts"]
        self.batch_size = alerts["mass_batch_size"]
        self.poll = alerts["worker_poll_seconds"]
        self.resend_ambiguous = alerts["ambiguous_custom_send"] == "resend"
        self.app_id = config["wechat"]["app_id"]
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.stop = threading.Event()

    # --- the loop ------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None, until_idle: bool = False) -> None:
        """Work until stopped (or, with until_idle, until nothing is due right now)."""
        stop = self.stop = stop or self.stop
        log.info("worker %s started", self.owner)
        while not stop.is_set():
            try:
                busy = self.tick()
            except sqlite3.Error:  # a locked or failing database: the run's lease brings it back later
                log.exception("worker %s: database error; trying again shortly", self.owner)
                busy = False
            if until_idle and not busy:
                return
            if not busy:
                stop.wait(self.poll)

    def tick(self) -> bool:
        """One round: create due runs, sync some tags, send one run. True if anything was done."""
        now = self._now()
        created = self.materialize(now)
        synced = self.sync_tags()
        claimed = store.claim_run(self.db, self.owner, self.clock(), self.lease, to_db(now))
        if claimed is not None:
            self.process(claimed)
        return bool(created or synced or claimed)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    # --- schedules → runs ------------------------------------------------------------

    def materialize(self, now: datetime) -> int:
        """A run for each alert that is due; recurring alerts move on to their next firing."""
        created = 0
        for row in store.due_alerts(self.db, to_db(now)):
            parsed = schedules.from_row(row, self.tz)
            due = schedules.latest_due(parsed, from_db(row["next_run_at"]), now, self.tz)
            following = schedules.next_after(parsed, due, self.tz)
            if store.materialize_run(self.db, row, to_db(due), to_db(following) if following else None,
                                     following is None, to_db(now)):
                created += 1
        return created

    # --- one run ------------------------------------------------------------------------

    def process(self, run: dict) -> None:
        """Send one claimed run; leave it sent, failed, or waiting for a retry."""
        try:
            alert = store.alert(self.db, run["alert_id"])
            if not run["prepared_at"] and not self._prepare(run, alert):
                return
            if run["channel"] == "mass":
                self._send_batches(run)
            else:
                self._send_custom(run)
            self._finish(run)
        except LeaseLost:
            log.warning("run %s: lease lost to another worker; stopping", run["id"])
        except Stopping:
            log.info("run %s: handed back unfinished because the worker is stopping", run["id"])
            store.release_run(self.db, run["id"], self.owner, "pending")
        except TransientError as error:
            self._retry_later(run, error)
        except QuotaError as error:
            self._wait_for_tomorrow(run, error)
        except PermanentError as error:
            self._fail(run, error)

    def _prepare(self, run: dict, alert: dict) -> bool:
        """Snapshot the audience (batches and per-recipient records) once, atomically."""
        now = self._now()
        if run["channel"] == "mass":
            batches, deliveries = self._plan_mass(run, alert)
        else:
            batches, deliveries = [], self._plan_custom(alert, now)
        if not store.prepare_run(self.db, run["id"], self.owner, batches, deliveries, to_db(now)):
            raise LeaseLost()
        return True

    def _plan_mass(self, run: dict, alert: dict) -> tuple[list[dict], list[tuple[str, int, str]]]:
        key = f"fz-{self.app_id[-8:]}-a{alert['id']}-{run['scheduled_for'].replace(' ', 'T')}"
        if alert["audience"] == "all":
            return [{"part": 0, "target": "all", "clientmsgid": f"{key}-p0"}], []
        if alert["audience"] == "tags" and len(alert["tags"]) == 1:
            return [{"part": 0, "target": "tag", "tag_id": self._tag_id(alert["tags"][0]),
                     "clientmsgid": f"{key}-p0"}], []
        # Several tags or the opted-in: one OpenID list (sendall per tag would reach some twice).
        openids = audience_openids(self.db, alert)
        parts = [openids[i:i + self.batch_size] for i in range(0, len(openids), self.batch_size)]
        batches = [{"part": n, "target": "openids", "clientmsgid": f"{key}-p{n}"} for n in range(len(parts))]
        deliveries = [(openid, n, "pending") for n, part in enumerate(parts) for openid in part]
        return batches, deliveries

    def _plan_custom(self, alert: dict, now: datetime) -> list[tuple[str, int, str]]:
        audience = audience_openids(self.db, alert)
        active = store.active_since(self.db, audience, to_db(now - WINDOW))
        return [(openid, 0, "pending" if openid in active else "skipped") for openid in audience]

    def _tag_id(self, name: str) -> int:
        found = store.tag_id(self.db, name)
        return found if found is not None else self._ensure_tag(name)

    # --- mass sends ---------------------------------------------------------------------

    def _send_batches(self, run: dict) -> None:
        for batch in store.batches(self.db, run["id"]):
            if batch["status"] != "pending":
                continue
            self._renew(run)
            try:
                result = self._mass_call(run, batch)
            except PermanentError as error:
                store.mark_batch(self.db, batch["id"], "failed", to_db(self._now()),
                                 errcode=error.errcode, errmsg=error.errmsg)
                continue
            store.mark_batch(self.db, batch["id"], "sent", to_db(self._now()), msg_id=result["msg_id"],
                             msg_data_id=result["msg_data_id"])

    def _mass_call(self, run: dict, batch: dict) -> dict:
        if batch["target"] == "all":
            return self.api.send_mass_to_all(run["content"], batch["clientmsgid"])
        if batch["target"] == "tag":
            return self.api.send_mass_to_tag(batch["tag_id"], run["content"], batch["clientmsgid"])
        openids = store.batch_openids(self.db, run["id"], batch["part"])
        return self.api.send_mass_to_openids(openids, run["content"], batch["clientmsgid"])

    # --- customer-service fan-out ---------------------------------------------------------

    def _send_custom(self, run: dict) -> None:
        self._settle_stranded(run)
        while openids := store.pending_deliveries(self.db, run["id"], CUSTOM_PAGE):
            for openid in openids:
                self._renew(run)
                self._send_one(run, openid)

    def _settle_stranded(self, run: dict) -> None:
        """Records a dead worker left 'sending': resend them (flagged) or hold them as unknown."""
        now = to_db(self._now())
        for openid in store.stranded_deliveries(self.db, run["id"]):
            status = "pending" if self.resend_ambiguous else "unknown"
            log.warning("run %s: %s was mid-send when a worker stopped; %s", run["id"], openid,
                        "sending again" if self.resend_ambiguous else "holding as unknown")
            store.mark_delivery(self.db, run["id"], openid, status, now, possible_duplicate=True)

    def _send_one(self, run: dict, openid: str) -> None:
        """Claim → send → mark. The claim is committed before the call; the mark right after it."""
        if not store.claim_delivery(self.db, run["id"], openid, to_db(self._now())):
            return
        try:
            self.api.send_custom_text(openid, run["content"])
        except PermanentError as error:
            store.mark_delivery(self.db, run["id"], openid, "failed", to_db(self._now()),
                                errcode=error.errcode, errmsg=error.errmsg)
            return
        except TransientError as error:
            self._unclaim(run, openid, error, ambiguous=error.ambiguous)
            raise
        except QuotaError as error:
            self._unclaim(run, openid, error, ambiguous=False)
            raise
        store.mark_delivery(self.db, run["id"], openid, "sent", to_db(self._now()))

    def _unclaim(self, run: dict, openid: str, error: WeChatError, ambiguous: bool) -> None:
        """A call that failed before WeChat acted goes back to pending; an ambiguous one follows the policy."""
        status = "pending" if (not ambiguous or self.resend_ambiguous) else "unknown"
        store.mark_delivery(self.db, run["id"], openid, status, to_db(self._now()),
                            errcode=error.errcode, errmsg=error.errmsg, possible_duplicate=ambiguous)

    # --- leaving a run -----------------------------------------------------------------------

    def _renew(self, run: dict) -> None:
        """Called before every API call of a run: stop here if asked, and keep the lease."""
        if self.stop.is_set():
            raise Stopping()
        if not store.renew_lease(self.db, run["id"], self.owner, self.clock() + self.lease):
            raise LeaseLost()

    def _finish(self, run: dict) -> None:
        status, errcode, errmsg = self._outcome(run)
        store.release_run(self.db, run["id"], self.owner, status, errcode=errcode, errmsg=errmsg,
                          finished=to_db(self._now()))
        log.info("run %s of alert %s: %s", run["id"], run["alert_id"], status)

    def _outcome(self, run: dict) -> tuple[str, int | None, str | None]:
        if run["channel"] == "mass":
            parts = store.batches(self.db, run["id"])
            failed = [b for b in parts if b["status"] == "failed"]
            if not parts:
                return "empty", None, None
            first = failed[0] if failed else {"errcode": None, "errmsg": None}
            status = "failed" if len(failed) == len(parts) else ("partial" if failed else "sent")
            return status, first["errcode"], first["errmsg"]
        counts = store.delivery_counts(self.db, run["id"])
        sent, trouble = counts.get("sent", 0), counts.get("failed", 0) + counts.get("unknown", 0)
        if not sent and not trouble:
            return "empty", None, None
        return ("sent" if not trouble else "partial" if sent else "failed"), None, None

    def _retry_later(self, run: dict, error: TransientError) -> None:
        attempts = run["attempts"] + 1
        if attempts >= self.max_attempts:
            self._fail(run, error)
            return
        delay = min(self.retry_base * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
        log.warning("run %s: %s; retrying in %.1fs", run["id"], error, delay)
        store.release_run(self.db, run["id"], self.owner, "waiting", self.clock() + delay,
                          errcode=error.errcode, errmsg=error.errmsg, count_attempt=True)

    def _wait_for_tomorrow(self, run: dict, error: QuotaError) -> None:
        local = self._now().astimezone(self.tz)
        tomorrow = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=self.tz)
        log.warning("run %s: %s; waiting until %s", run["id"], error, tomorrow)
        store.release_run(self.db, run["id"], self.owner, "waiting", tomorrow.timestamp() + 60,
                          errcode=error.errcode, errmsg=error.errmsg, count_attempt=True)

    def _fail(self, run: dict, error: WeChatError) -> None:
        log.error("run %s failed: %s", run["id"], error)
        store.release_run(self.db, run["id"], self.owner, "failed", errcode=error.errcode,
                          errmsg=error.errmsg, finished=to_db(self._now()), count_attempt=True)

    # --- tags ---------------------------------------------------------------------------------

    def sync_tags(self) -> int:
        """Apply one batch (≤ 50 residents, one tag, one action) of queued tag changes."""
        rows = store.next_tag_batch(self.db, self.clock(), TAG_BATCH)
        if not rows:
            return 0
        ids, openids = [r["id"] for r in rows], [r["openid"] for r in rows]
        name, action = rows[0]["tag_name"], rows[0]["action"]
        try:
            self._apply_tag(name, action, openids)
        except (TransientError, QuotaError) as error:
            delay = min(self.retry_base * 2 ** rows[0]["attempts"], MAX_BACKOFF_SECONDS)
            store.retry_tag_rows(self.db, ids, str(error), self.clock() + delay, self.max_attempts * 2)
            return len(ids)
        except PermanentError as error:
            store.fail_tag_rows(self.db, ids, str(error))
            return len(ids)
        store.finish_tag_rows(self.db, ids, to_db(self._now()))
        return len(ids)

    def _apply_tag(self, name: str, action: str, openids: list[str]) -> None:
        if action == "tag":
            self.api.tag_users(self._tag_id(name), openids)
            return
        known = store.tag_id(self.db, name)
        if known is not None:  # a tag never created has nobody to untag
            self.api.untag_users(known, openids)

    def _ensure_tag(self, name: str) -> int:
        """Create the WeChat tag, or find it when it exists already (45157, e.g. after a crash)."""
        try:
            created = self.api.create_tag(name)
        except PermanentError as error:
            if error.errcode != 45157:
                raise
            existing = self.api.get_tags()
            if name not in existing:
                raise
            created = existing[name]
        store.save_tag(self.db, name, created, to_db(self._now()))
        return created
