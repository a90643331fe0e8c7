"""A fake WeChat API server on loopback, for tests and for `make run`. Never a real WeChat.

It serves token, stable_token, customer-service send (with the 48-hour window), mass send
(with clientmsgid idempotency), preview, status, tags and menu. Tests queue error codes per
endpoint (`fail`), read every call (`calls`), and ask it to post MASSSENDJOBFINISH back to the
webhook, signed as WeChat signs it (`finish_job`).
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

import requests

from bot.wechat.simulator import WeChatSimulator

log = logging.getLogger("fanzha.fake_api")

WINDOW_SECONDS = 48 * 3600
PREFIX = "/cgi-bin/"
DROP = "drop"            # injected: read the request, act on it, close without answering
REFUSE = "refuse"        # injected: close without answering and without acting
HTTP_500 = "http500"     # injected: answer HTTP 500 without acting

ERRMSG = {
    -1: "system error", 40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid", 40014: "invalid access_token", 40032: "invalid openid list size",
    41001: "access_token missing", 42001: "access_token expired", 45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit", 45015: "response out of time limit or subscription is canceled",
    45028: "has no masssend quota", 45047: "out of response count limit", 45056: "too many tags",
    45057: "can't delete the tag that has too many fans", 45065: "clientmsgid exist",
    45157: "invalid tag name", 45158: "tag name too long", 40125: "invalid appsecret",
    40016: "invalid button size", 40018: "invalid button name size", 40019: "invalid button key size",
    47001: "data format error",
}


@dataclass
class Call:
    """One request the fake received, and the errcode it answered (None: dropped or HTTP error)."""
    endpoint: str
    params: dict[str, str]
    body: dict[str, Any]
    errcode: int | None
    at: float
    answer: dict[str, Any] = field(default_factory=dict)


class FakeWeChat:
    """The state and behaviour of the fake: thread-safe, usable without HTTP too."""

    def __init__(self, app_id: str = "wx_fake", secret: str = "fake-secret", strict_window: bool = True,
                 clock: Callable[[], float] = time.time):
        self.app_id, self.secret, self.strict_window, self.clock = app_id, secret, strict_window, clock
        self.lock = threading.RLock()
        self.calls: list[Call] = []
        self.injected: dict[str, deque] = defaultdict(deque)
        self.valid_tokens: dict[str, float] = {}
        self.stable_token: str | None = None
        self.interactions: dict[str, float] = {}
        self.clientmsgids: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.custom_messages: list[tuple[str, str]] = []
        self.previews: list[tuple[str, str]] = []
        self.tags: dict[int, str] = {}
        self.members: dict[int, set[str]] = defaultdict(set)
        self.menu: dict[str, Any] | None = None
        self.webhook: dict[str, str] | None = None
        self.auto_finish_seconds: float | None = None
        self._ids = itertools.count(1000)
        self._tag_ids = itertools.count(100)

    # --- what tests use -----------------------------------------------------------

    def fail(self, endpoint: str, *errcodes: int | str) -> None:
        """Queue answers for the next calls to an endpoint: errcodes, DROP, REFUSE or HTTP_500."""
        with self.lock:
            self.injected[endpoint].extend(errcodes)

    def touch(self, openid: str, at: float | None = None) -> None:
        """The resident wrote to the account at `at`: opens the 48-hour window."""
        with self.lock:
            self.interactions[openid] = self.clock() if at is None else at

    def calls_to(self, endpoint: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.endpoint == endpoint]

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001, as after two hours."""
        with self.lock:
            for token in self.valid_tokens:
                self.valid_tokens[token] = 0

    def delivered_mass(self) -> list[dict[str, Any]]:
        """Mass sends that went out (a repeated clientmsgid is not a second send)."""
        with self.lock:
            return list(self.clientmsgids.values())

    def connect_webhook(self, url: str, token: str, account: str = "gh_fanzha",
                        auto_finish_seconds: float | None = None, aes_key: str = "",
                        app_id: str = "") -> None:
        """Where MASSSENDJOBFINISH goes; with auto_finish_seconds, it is posted that long after each send."""
        if not url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
            raise ValueError("the fake WeChat API posts to loopback only")
        self.webhook = {"url": url, "token": token, "account": account, "aes_key": aes_key, "app_id": app_id}
        self.auto_finish_seconds = auto_finish_seconds

    # --- dispatch ---------------------------------------------------------------------

    def handle(self, method: str, endpoint: str, params: dict[str, str], body: dict[str, Any]) -> Any:
        """The answer for one call: a JSON dict, or one of DROP / REFUSE / HTTP_500."""
        with self.lock:
            injected = self.injected[endpoint].popleft() if self.injected[endpoint] else None
            if injected in (REFUSE, HTTP_500):
                self._record(endpoint, params, body, None, {})
                return injected
            if isinstance(injected, int):
                answer = self._error(injected)
            else:
                answer = self._serve(method, endpoint, params, body)
            self._record(endpoint, params, body, answer.get("errcode", 0), answer)
            return DROP if injected == DROP else answer

    def _serve(self, method: str, endpoint: str, params: dict[str, str], body: dict[str, Any]) -> dict:
        if endpoint == "token":
            return self._token(params)
        if endpoint == "stable_token":
            return self._stable_token(body)
        handler = ROUTES.get(endpoint)
        if handler is None:
            return {"errcode": 404, "errmsg": f"unknown endpoint {endpoint}"}
        problem = self._check_token(params.get("access_token"))
        return problem or handler(self, body)

    def _record(self, endpoint: str, params: dict, body: dict, errcode: int | None, answer: dict) -> None:
        self.calls.append(Call(endpoint, dict(params), body, errcode, self.clock(), answer))

    @staticmethod
    def _error(errcode: int, **extra: Any) -> dict[str, Any]:
        return {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error"), **extra}

    # --- tokens ---------------------------------------------------------------------------

    def _issue(self) -> dict[str, Any]:
        token = "FAKE_" + secrets.token_hex(12)
        self.valid_tokens[token] = self.clock() + 7200
        return {"access_token": token, "expires_in": 7200}

    def _token(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("appid") != self.app_id or params.get("secret") != self.secret:
            return self._error(40125)
        self.valid_tokens.clear()  # a plain token fetch invalidates the others, as in WeChat
        return self._issue()

    def _stable_token(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("appid") != self.app_id or body.get("secret") != self.secret:
            return self._error(40125)
        live = self.stable_token and self.valid_tokens.get(self.stable_token, 0) > self.clock()
        if live and not body.get("force_refresh"):
            return {"access_token": self.stable_token,
                    "expires_in": int(self.valid_tokens[self.stable_token] - self.clock())}
        issued = self._issue()
        self.stable_token = issued["access_token"]
        return issued

    def _check_token(self, token: str | None) -> dict[str, Any] | None:
        if not token:
            return self._error(41001)
        if token not in self.valid_tokens:
            return self._error(40001)
        if self.valid_tokens[token] <= self.clock():
            return self._error(42001)
        return None

    # --- messages -----------------------------------------------------------------------

    def _custom_send(self, body: dict[str, Any]) -> dict[str, Any]:
        openid = body.get("touser", "")
        if not openid or body.get("msgtype") != "text":
            return self._error(47001)
        last = self.interactions.get(openid)
        if self.strict_window and (last is None or self.clock() - last > WINDOW_SECONDS):
            return self._error(45015)
        self.custom_messages.append((openid, body["text"]["content"]))
        return {"errcode": 0, "errmsg": "ok"}

    def _mass(self, body: dict[str, Any], recipients: list[str], target: str) -> dict[str, Any]:
        clientmsgid = body.get("clientmsgid") or f"auto:{target}:{body.get('text', {}).get('content')}"
        earlier = self.clientmsgids.get(clientmsgid)
        if earlier is not None:
            return self._error(45065, msg_id=earlier["msg_id"], msg_data_id=earlier["msg_data_id"])
        msg_id = str(next(self._ids))
        job = {"msg_id": msg_id, "msg_data_id": str(int(msg_id) * 10), "clientmsgid": clientmsgid,
               "target": target, "content": body.get("text", {}).get("content"), "recipients": recipients}
        self.clientmsgids[clientmsgid] = self.jobs[msg_id] = job
        self._schedule_finish(msg_id)
        return {"errcode": 0, "errmsg": "send job submission success", "msg_id": int(msg_id),
                "msg_data_id": int(job["msg_data_id"])}

    def _sendall(self, body: dict[str, Any]) -> dict[str, Any]:
        rule = body.get("filter") or {}
        if rule.get("is_to_all"):
            return self._mass(body, sorted(self._everyone()), "all")
        if "group_id" in rule and "tag_id" not in rule:
            return self._error(40050, errmsg="invalid group id (use tag_id)")
        tag = rule.get("tag_id")
        if tag not in self.tags:
            return self._error(40050 if tag is None else 45159)
        return self._mass(body, sorted(self.members[tag]), f"tag:{tag}")

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        touser = body.get("touser")
        if not isinstance(touser, list) or not touser or len(touser) > 10000:
            return self._error(40032)
        return self._mass(body, list(touser), "openids")

    def _preview(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("touser"):
            return self._error(40003)
        self.previews.append((body["touser"], body.get("text", {}).get("content", "")))
        return {"errcode": 0, "errmsg": "preview success", "msg_id": next(self._ids)}

    def _mass_get(self, body: dict[str, Any]) -> dict[str, Any]:
        job = self.jobs.get(str(body.get("msg_id")))
        if job is None:
            return self._error(40003)
        return {"msg_id": int(job["msg_id"]), "msg_status": job.get("status", "SENDING")}

    def _everyone(self) -> set[str]:
        people = set(self.interactions)
        for members in self.members.values():
            people |= members
        return people

    # --- tags and menu ---------------------------------------------------------------------

    def _tags_create(self, body: dict[str, Any]) -> dict[str, Any]:
        name = str((body.get("tag") or {}).get("name", ""))
        if not name or len(name.encode("utf-8")) > 30:
            return self._error(45158)
        if name in self.tags.values():
            return self._error(45157)
        if len(self.tags) >= 100:
            return self._error(45056)
        tag_id = next(self._tag_ids)
        self.tags[tag_id] = name
        return {"tag": {"id": tag_id, "name": name}}

    def _tags_get(self, _body: dict[str, Any]) -> dict[str, Any]:
        return {"tags": [{"id": i, "name": n, "count": len(self.members[i])} for i, n in self.tags.items()]}

    def _batch(self, body: dict[str, Any], add: bool) -> dict[str, Any]:
        openids, tag = body.get("openid_list"), body.get("tagid")
        if not isinstance(openids, list) or not openids or len(openids) > 50:
            return self._error(40032)
        if tag not in self.tags:
            return self._error(45159)
        (self.members[tag].update if add else self.members[tag].difference_update)(openids)
        return {"errcode": 0, "errmsg": "ok"}

    def _menu_create(self, body: dict[str, Any]) -> dict[str, Any]:
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return self._error(40016)
        if any(len(b.get("sub_button", [])) > 5 for b in buttons):
            return self._error(40016)
        if any(len(b.get("name", "").encode("utf-8")) > 16 for b in buttons):
            return self._error(40018)
        self.menu = body
        return {"errcode": 0, "errmsg": "ok"}

    # --- MASSSENDJOBFINISH back to the webhook ---------------------------------------------

    def _schedule_finish(self, msg_id: str) -> None:
        if self.webhook and self.auto_finish_seconds is not None:
            timer = threading.Timer(self.auto_finish_seconds, self._finish_quietly, [msg_id])
            timer.daemon = True
            timer.start()

    def _finish_quietly(self, msg_id: str) -> None:
        try:
            self.finish_job(msg_id)
        except (requests.RequestException, ValueError) as error:
            log.warning("could not post MASSSENDJOBFINISH for %s: %s", msg_id, error)

    def job_finish_xml(self, msg_id: str, status: str = "send success", errors: int = 0,
                       filtered: int = 0, account: str = "gh_fanzha") -> str:
        """The MASSSENDJOBFINISH event WeChat pushes when a mass send is done."""
        with self.lock:
            job = self.jobs[str(msg_id)]
            job["status"] = "SEND_SUCCESS" if status == "send success" else "SEND_FAIL"
            total = len(job["recipients"])
        return WeChatSimulator("unused", account=account).event_xml(
            "o_wechat_mass_system", "MASSSENDJOBFINISH", MsgID=int(msg_id), Status=status,
            TotalCount=total, FilterCount=total - filtered, SentCount=max(0, total - filtered - errors),
            ErrorCount=errors)

    def finish_job(self, msg_id: str, status: str = "send success", errors: int = 0, filtered: int = 0,
                   mode: str = "plaintext") -> requests.Response:
        """Post MASSSENDJOBFINISH for a job to the webhook, signed as WeChat signs it."""
        if self.webhook is None:
            raise ValueError("no webhook connected")
        xml = self.job_finish_xml(msg_id, status, errors, filtered, self.webhook["account"])
        simulator = WeChatSimulator(self.webhook["token"], self.webhook.get("aes_key", ""),
                                    self.webhook.get("app_id", ""), self.webhook["account"])
        push = simulator.sign(xml, mode)
        return requests.post(self.webhook["url"], params=push.query, data=push.body, timeout=10,
                             headers={"Content-Type": "text/xml"})


ROUTES: dict[str, Callable[[FakeWeChat, dict[str, Any]], dict[str, Any]]] = {
    "message/custom/send": FakeWeChat._custom_send,
    "message/mass/sendall": FakeWeChat._sendall,
    "message/mass/send": FakeWeChat._send,
    "message/mass/preview": FakeWeChat._preview,
    "message/mass/get": FakeWeChat._mass_get,
    "tags/create": FakeWeChat._tags_create,
    "tags/get": FakeWeChat._tags_get,
    "tags/members/batchtagging": lambda fake, body: fake._batch(body, add=True),
    "tags/members/batchuntagging": lambda fake, body: fake._batch(body, add=False),
    "menu/create": FakeWeChat._menu_create,
}


# --- the HTTP side ---------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    fake: FakeWeChat
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch("GET", {})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            self._answer({"errcode": 47001, "errmsg": ERRMSG[47001]})
            return
        self._dispatch("POST", body if isinstance(body, dict) else {})

    def _dispatch(self, method: str, body: dict[str, Any]) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/_fake/touch":  # lets `make run` open a resident's 48-hour window
            self.fake.touch(params.get("openid", ""))
            self._answer({"errcode": 0})
            return
        if not url.path.startswith(PREFIX):
            self.send_error(404)
            return
        answer = self.fake.handle(method, url.path[len(PREFIX):], params, body)
        if answer in (DROP, REFUSE):
            self.close_connection = True
            return
        if answer == HTTP_500:
            self.send_error(500)
            return
        self._answer(answer)

    def _answer(self, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("fake wechat: " + format, *args)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (the crash tests do that) is expected, not a traceback."""
        log.debug("fake wechat: connection from %s ended abruptly", client_address)


class FakeServer:
    """The fake on a loopback port, served from a background thread."""

    def __init__(self, fake: FakeWeChat, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake WeChat API serves loopback only")
        handler = type("Handler", (_Handler,), {"fake": fake})
        self.fake = fake
        self.httpd = _QuietServer((host, port), handler)
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"

    def start(self) -> "FakeServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="fake-wechat", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever()
        finally:
            self.httpd.server_close()
