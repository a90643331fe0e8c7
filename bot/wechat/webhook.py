"""POST /wechat and GET /wechat: verify, decrypt, parse, answer. Refusals are 4xx with a log line."""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from flask import Blueprint, Flask, Response, current_app, request

from bot import db as store
from bot.db import core
from bot.livekb import LiveKnowledge
from bot.wechat import codec
from bot.wechat.codec import Refused
from bot.wechat.pipeline import Pipeline

log = logging.getLogger("fanzha.webhook")
bp = Blueprint("wechat", __name__)
NONCE_BUSY_TIMEOUT_MS = 500


def init_app(app: Flask) -> None:
    config = app.config["FANZHA"]
    wechat = config["wechat"]
    live = LiveKnowledge(config)
    app.extensions["fanzha.live"] = live
    app.extensions["fanzha.pipeline"] = Pipeline(config, live)
    app.extensions["fanzha.nonces"] = NonceMemory(config)
    app.extensions["fanzha.crypto"] = codec.make_crypto(wechat["token"], wechat["encoding_aes_key"],
                                                        wechat["app_id"])
    app.register_blueprint(bp)


@bp.get("/wechat")
def verify_url() -> Response:
    """WeChat's URL check: answer echostr unchanged when the signature matches."""
    try:
        _check_query()
        echostr = request.args.get("echostr")
        if not echostr:
            raise Refused(400, "missing query parameter echostr")
    except Refused as refusal:
        return _refuse(refusal)
    return Response(echostr, mimetype="text/plain")


@bp.post("/wechat")
def receive() -> Response:
    started = time.monotonic()
    try:
        inbound, raw_xml, encrypted = _read_message()
    except Refused as refusal:
        return _refuse(refusal)
    except Exception as error:  # anything else that breaks before we understand the message
        log.exception("unreadable request")
        return _refuse(Refused(400, f"unreadable request: {type(error).__name__}"))
    reply = current_app.extensions["fanzha.pipeline"].answer(inbound, raw_xml, started)
    if reply is None:
        return Response("success", mimetype="text/plain")
    xml = codec.render_text_reply(reply, inbound)
    if encrypted:
        xml = codec.encrypt_reply(xml, current_app.extensions["fanzha.crypto"],
                                  request.args["nonce"], request.args["timestamp"])
    return Response(xml, mimetype="application/xml")


def _settings() -> dict:
    return current_app.config["FANZHA"]


def _check_query() -> int:
    settings = _settings()
    codec.check_url_signature(settings["wechat"]["token"], request.args)
    return codec.check_timestamp(request.args["timestamp"],
                                 settings["server"]["timestamp_tolerance_seconds"])


def _read_message():
    """Verify before parsing: signature, time, size and shape, nonce; then decrypt and parse."""
    timestamp = _check_query()
    body = _read_body()
    codec.check_body_shape(body)
    current_app.extensions["fanzha.nonces"].check(timestamp, request.args["nonce"], body)
    encrypted = codec.is_encrypted(body, request.args)
    if encrypted:
        raw_xml = codec.decrypt(body, request.args, current_app.extensions["fanzha.crypto"],
                                _settings()["wechat"]["token"])
    else:
        raw_xml = body.decode("utf-8", errors="strict") if _is_utf8(body) else None
        if raw_xml is None:
            raise Refused(400, "body is not valid UTF-8")
    inbound = codec.to_inbound(codec.parse_xml(raw_xml))
    return inbound, raw_xml, encrypted


def _read_body() -> bytes:
    limit = _settings()["server"]["max_body_bytes"]
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, f"body of {request.content_length} bytes is over the {limit}-byte cap")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise Refused(413, f"body is over the {limit}-byte cap")
    return body


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class NonceMemory:
    """Remembers (timestamp, nonce) pairs in the shared database, so every worker process agrees."""

    def __init__(self, config: dict):
        self.database = config["storage"]["database"]
        self.window = config["server"]["timestamp_tolerance_seconds"]
        self._local = threading.local()

    def check(self, timestamp: int, nonce: str, body: bytes) -> None:
        """A pair seen before is a retry only if it carries the same body; otherwise refuse it."""
        body_hash = hashlib.sha256(body).hexdigest()
        try:
            seen = core.remember_nonce(self._db(), timestamp, nonce[:128], body_hash, time.time(),
                                       self.window)
        except store.StoreError:
            # Fail open: a resident's message matters more than replay protection during an outage.
            self._local.db = None
            log.exception("nonce memory unavailable; accepting timestamp=%s nonce=%s", timestamp, nonce)
            return
        if seen == "conflict":
            raise Refused(403, f"nonce {nonce[:32]!r} at {timestamp} was already used for another message")

    def _db(self):
        """This thread's own connection, with a short busy timeout."""
        if getattr(self._local, "db", None) is None:
            self._local.db = store.connect(self.database, NONCE_BUSY_TIMEOUT_MS)
        return self._local.db


def _refuse(refusal: Refused) -> Response:
    log.warning("refused %s %s from %s: %d %s", request.method, request.path,
                request.remote_addr, refusal.status, refusal.reason)
    return Response(refusal.reason, status=refusal.status, mimetype="text/plain")
