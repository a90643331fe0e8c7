"""The message pipeline: store first, answer each message once, always answer in time.

Every inbound message is stored before it is processed. The turn runs on a worker
thread; if it fails or outlives the deadline, the resident gets the general safety
advice instead, and that same answer is what gets stored and replayed to retries.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable

from sqlite_utils import Database

from bot import db as store
from bot.conversation import take_turn
from bot.db import core
from bot.dialogue.model import Inbound, Outcome, Reply
from bot.livekb import LiveKnowledge
from bot.timeutil import now_text
from bot.wechat.codec import dedup_key

log = logging.getLogger("fanzha.webhook")

_UNSET = object()
SILENT = {"type": "none", "content": ""}
RETRY_POLL_SECONDS = 0.05
RAW_XML_LIMIT = 16384
# A locked database is waited out this long (after the resident has had their answer) before
# the message is given up to the log: a burst of writes must not lose what a resident sent.
STORE_PATIENCE_SECONDS = 30.0


class FirstAnswer:
    """The answer a message gets: whoever offers first (the turn or the deadline) decides it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reply: Any = _UNSET

    def offer(self, reply: Reply | None) -> Reply | None:
        with self._lock:
            if self._reply is _UNSET:
                self._reply = reply
            return self._reply


class Pipeline:
    def __init__(self, config: dict, live: LiveKnowledge,
                 turn: Callable[..., Outcome] = take_turn):
        self.deadline = config["server"]["reply_deadline_seconds"]
        self.database = config["storage"]["database"]
        self.busy_timeout_ms = config["server"]["db_busy_timeout_ms"]
        self.live = live
        self.turn = turn
        self._local = threading.local()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    # --- the request thread ---------------------------------------------------

    def answer(self, inbound: Inbound, raw_xml: str, started: float) -> Reply | None:
        """The reply for one verified message, ready before the deadline whatever happens."""
        answer = FirstAnswer()
        future = self._pool().submit(self._process, inbound, raw_xml, started, answer)
        remaining = max(0.1, self.deadline - (time.monotonic() - started))
        try:
            future.result(timeout=remaining)
        except FutureTimeout:
            log.warning("deadline: %s from %s not answered in %.1fs; sent safety advice",
                        inbound.msg_type, inbound.openid, self.deadline)
        except Exception:  # _process handles its own errors; this is the last line of defence
            log.exception("pipeline failed for %s from %s", inbound.msg_type, inbound.openid)
        return answer.offer(self.fallback_reply())

    def fallback_reply(self) -> Reply:
        return Reply(self.live.texts()["fallback"])

    def _pool(self) -> ThreadPoolExecutor:
        # Created on first use so that a forking server never forks a process with threads.
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="turn")
            return self._executor

    def db(self) -> Database:
        """This thread's connection, kept for the thread's life."""
        if getattr(self._local, "db", None) is None:
            self._local.db = store.connect(self.database, self.busy_timeout_ms)
        return self._local.db

    # --- the worker thread ----------------------------------------------------

    def _process(self, inbound: Inbound, raw_xml: str, started: float, answer: FirstAnswer) -> None:
        message_id, is_new = self._store_inbound(inbound, raw_xml)
        if not is_new:
            answer.offer(self._replay(message_id, started))
            return
        verdict: dict[str, Any] = {}
        error = None
        try:
            outcome = self.turn(self.db(), self.live, inbound,
                                deliver=lambda candidate: answer.offer(candidate) is candidate)
            reply, verdict = outcome.reply, outcome.verdict
        except Exception as failure:  # the matcher, the dialogue or the store failed
            log.exception("turn failed for message %s from %s", message_id, inbound.openid)
            reply, error = self.fallback_reply(), f"{type(failure).__name__}: {failure}"
        chosen = answer.offer(reply)
        if message_id is not None:
            status = "replied" if chosen is reply and error is None else "fallback"
            self._store_reply(message_id, chosen, verdict, started, status, error)

    def _store_inbound(self, inbound: Inbound, raw_xml: str) -> tuple[int | None, bool]:
        fields = {
            "openid": inbound.openid, "account": inbound.fields.get("ToUserName"),
            "msg_type": inbound.msg_type, "event": inbound.event,
            "content": inbound.text or inbound.event_key, "raw": raw_xml[:RAW_XML_LIMIT],
            "wechat_time": inbound.wechat_time, "received_at": now_text(),
        }
        try:
            return self._patiently(lambda: core.claim_message(self.db(), dedup_key(inbound), fields))
        except store.StoreError:
            # The store is down: keep the message in the log so that nothing is lost.
            log.exception("could not store inbound message; kept here: %s",
                          json.dumps(fields, ensure_ascii=False))
            self._local.db = None
            return None, True

    def _patiently(self, write: Callable[[], Any]) -> Any:
        """Run a write, retrying while the database is only busy; other errors raise at once."""
        give_up = time.monotonic() + STORE_PATIENCE_SECONDS
        pause = 0.05
        while True:
            try:
                return write()
            except store.StoreError as error:
                if not _is_busy(error) or time.monotonic() + pause > give_up:
                    raise
                log.warning("database busy (%s); retrying in %.2fs", error, pause)
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def _replay(self, message_id: int | None, started: float) -> Reply | None:
        """A retry: wait for the first push's stored answer and give the same one."""
        while time.monotonic() - started < self.deadline:
            try:
                stored = core.stored_reply(self.db(), message_id)
            except store.StoreError:
                log.exception("could not read the stored reply of message %s", message_id)
                break
            if stored is not None:
                return None if stored["type"] == SILENT["type"] else Reply(stored["content"], stored["type"])
            time.sleep(RETRY_POLL_SECONDS)
        return self.fallback_reply()

    def _store_reply(self, message_id: int, reply: Reply | None, verdict: dict, started: float,
                     status: str, error: str | None) -> None:
        latency_ms = (time.monotonic() - started) * 1000
        content = reply.to_json() if reply is not None else SILENT
        try:
            self._patiently(lambda: core.record_reply(self.db(), message_id, content, verdict, latency_ms,
                                                      now_text(), status=status, error=error))
        except store.StoreError:
            log.exception("could not store the reply to message %s: %s", message_id,
                          json.dumps(content, ensure_ascii=False))
            self._local.db = None


def _is_busy(error: Exception) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text
