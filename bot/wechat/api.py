"""A small WeChat API client: JSON bodies posted by hand, one shared token owner, typed errors.

Why not wechatpy's client: its token URL is hard-coded, it lacks stable_token, its auto_retry
refetches the token without bound, and its tag mass send writes the old `group_id` key.

The access token lives in the database (bot.db.alerts) so that every process uses the same one;
a refresh lease there makes sure only one process refreshes it at a time.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable

import requests
from sqlite_utils import Database

from bot.db import alerts as store

log = logging.getLogger("fanzha.wechat.api")

TOKEN_ERRORS = {40001, 40014, 42001}
TRANSIENT_ERRORS = {-1, 45011}        # system busy; calls too frequent
QUOTA_ERRORS = {45009, 45028}         # daily API quota; no mass-send quota
DUPLICATE_MASS = 45065                # same clientmsgid: the earlier send's msg_id comes back
TOKEN_MARGIN_SECONDS = 300            # refresh early: WeChat keeps an old token about 5 minutes
REFRESH_LEASE_SECONDS = 15.0
TOKEN_WAIT_SECONDS = 20.0


class WeChatError(Exception):
    """A WeChat API failure; errcode is WeChat's code (or an HTTP status / 0 for network)."""

    def __init__(self, errcode: int, errmsg: str, endpoint: str = ""):
        super().__init__(f"{endpoint}: errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint
        self.data: dict[str, Any] = {}


class PermanentError(WeChatError):
    """Retrying will not help: the request or the account is wrong."""


class TransientError(WeChatError):
    """Try again later. `ambiguous`: the request may have reached WeChat and taken effect."""

    def __init__(self, errcode: int, errmsg: str, endpoint: str = "", ambiguous: bool = False):
        super().__init__(errcode, errmsg, endpoint)
        self.ambiguous = ambiguous


class QuotaError(WeChatError):
    """A daily quota is spent (45009, 45028): wait for the next day."""


class TokenError(WeChatError):
    """The token was refused (40001, 40014, 42001); raised only inside the client."""


def classify(errcode: int, errmsg: str, endpoint: str) -> WeChatError:
    """The typed exception for a non-zero errcode."""
    if errcode in TOKEN_ERRORS:
        return TokenError(errcode, errmsg, endpoint)
    if errcode in TRANSIENT_ERRORS:
        return TransientError(errcode, errmsg, endpoint)
    if errcode in QUOTA_ERRORS:
        return QuotaError(errcode, errmsg, endpoint)
    return PermanentError(errcode, errmsg, endpoint)


class RateLimiter:
    """api_calls_per_minute across every process, counted in the database by clock minute."""

    def __init__(self, db: Database, per_minute: int, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep):
        self.db, self.per_minute, self.clock, self.sleep = db, per_minute, clock, sleep

    def acquire(self) -> None:
        """Wait until this minute's budget has room, then take one call from it."""
        while True:
            now = self.clock()
            if store.take_api_call(self.db, int(now // 60), self.per_minute):
                return
            self.sleep(60 - now % 60 + 0.01)


class WeChatAPI:
    """The outbound API, pointed at `api_base_url` (the fake server in tests and `make run`)."""

    def __init__(self, config: dict, db: Database, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 timeout: tuple[float, float] = (3.0, 10.0)):
        wechat = config["wechat"]
        self.base = wechat["api_base_url"].rstrip("/") + "/"
        self.app_id, self.secret = wechat["app_id"], wechat["app_secret"]
        self.db = db
        self.session = session or requests.Session()
        self.clock, self.sleep, self.timeout = clock, sleep, timeout
        self.limiter = RateLimiter(db, config["alerts"]["api_calls_per_minute"], clock, sleep)

    # --- the token ---------------------------------------------------------------

    def access_token(self) -> str:
        """The shared token; refreshed by exactly one process when it is missing or near expiry."""
        deadline = self.clock() + TOKEN_WAIT_SECONDS
        while True:
            now = self.clock()
            if (token := self._fresh_token(now)) is not None:
                return token
            if store.take_refresh_lease(self.db, self.app_id, now, REFRESH_LEASE_SECONDS):
                # Another process may have refreshed between our read and our lease.
                if (token := self._fresh_token(now)) is not None:
                    store.release_refresh_lease(self.db, self.app_id)
                    return token
                return self._refresh(force=False)
            if now > deadline:
                raise TransientError(0, "timed out waiting for another process to refresh the token",
                                     "stable_token")
            self.sleep(0.05)

    def _fresh_token(self, now: float) -> str | None:
        row = store.stored_token(self.db, self.app_id)
        if row and row["access_token"] and row["expires_at"] - TOKEN_MARGIN_SECONDS > now:
            return row["access_token"]
        return None

    def _replace_bad_token(self, bad: str) -> str:
        """After 40001/40014/42001: force one refresh unless another process already replaced it."""
        deadline = self.clock() + TOKEN_WAIT_SECONDS
        while True:
            row = store.stored_token(self.db, self.app_id)
            if row and row["access_token"] and row["access_token"] != bad:
                return row["access_token"]
            now = self.clock()
            if store.take_refresh_lease(self.db, self.app_id, now, REFRESH_LEASE_SECONDS):
                row = store.stored_token(self.db, self.app_id)
                if row and row["access_token"] and row["access_token"] != bad:
                    store.release_refresh_lease(self.db, self.app_id)
                    return row["access_token"]
                return self._refresh(force=True)
            if now > deadline:
                raise TransientError(0, "timed out waiting for a token refresh", "stable_token")
            self.sleep(0.05)

    def _refresh(self, force: bool) -> str:
        """Fetch a stable_token while holding the refresh lease, and share it."""
        body = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret,
                "force_refresh": force}
        try:
            data = self._post("stable_token", body, params={})
        except TokenError as error:  # on the token endpoint these mean bad credentials
            store.release_refresh_lease(self.db, self.app_id)
            raise PermanentError(error.errcode, error.errmsg, "stable_token") from None
        except BaseException:
            store.release_refresh_lease(self.db, self.app_id)
            raise
        now = self.clock()
        token = data["access_token"]
        store.save_token(self.db, self.app_id, token, now + int(data.get("expires_in", 7200)), now)
        log.info("access token refreshed (force=%s)", force)
        return token

    # --- calls -------------------------------------------------------------------------

    def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the shared token; a refused token is replaced once and the call retried once."""
        token = self.access_token()
        try:
            return self._post(endpoint, body, params={"access_token": token})
        except TokenError:
            log.warning("%s: token refused; refreshing once", endpoint)
        token = self._replace_bad_token(token)
        try:
            return self._post(endpoint, body, params={"access_token": token})
        except TokenError as error:
            raise TransientError(error.errcode, error.errmsg, endpoint) from None

    def _post(self, endpoint: str, body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        """One HTTP call: rate-limited, errcode checked even on HTTP 200, errors typed."""
        self.limiter.acquire()
        # ensure_ascii=False: WeChat shows \\uXXXX escapes literally instead of Chinese.
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            response = self.session.post(self.base + endpoint, params=params, data=payload,
                                         headers={"Content-Type": "application/json; charset=utf-8"},
                                         timeout=self.timeout)
        except (requests.ConnectTimeout, requests.exceptions.InvalidURL) as error:
            raise TransientError(0, f"cannot connect: {type(error).__name__}", endpoint) from None
        except requests.ConnectionError as error:
            raise TransientError(0, f"network: {_reason(error)}", endpoint,
                                 ambiguous=not _never_connected(error)) from None
        except requests.RequestException as error:
            raise TransientError(0, f"network: {type(error).__name__}", endpoint, ambiguous=True) from None
        return _read(response, endpoint)

    # --- customer service, mass send, preview --------------------------------------------

    def send_custom_text(self, openid: str, content: str) -> None:
        self.call("message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": content}})

    def send_mass_to_all(self, content: str, clientmsgid: str) -> dict[str, Any]:
        return self._mass("message/mass/sendall", {"filter": {"is_to_all": True}}, content, clientmsgid)

    def send_mass_to_tag(self, tag_id: int, content: str, clientmsgid: str) -> dict[str, Any]:
        """sendall by tag, with the current `tag_id` key (wechatpy 1.8.18 still writes `group_id`)."""
        return self._mass("message/mass/sendall", {"filter": {"is_to_all": False, "tag_id": tag_id}},
                          content, clientmsgid)

    def send_mass_to_openids(self, openids: list[str], content: str, clientmsgid: str) -> dict[str, Any]:
        return self._mass("message/mass/send", {"touser": list(openids)}, content, clientmsgid)

    def _mass(self, endpoint: str, target: dict, content: str, clientmsgid: str) -> dict[str, Any]:
        """A mass send; a repeated clientmsgid (45065) is the earlier send, not a failure."""
        body = {**target, "msgtype": "text", "text": {"content": content}, "clientmsgid": clientmsgid,
                "send_ignore_reprint": 0}
        try:
            data = self.call(endpoint, body)
        except PermanentError as error:
            if error.errcode != DUPLICATE_MASS:
                raise
            data = error.data
            log.info("%s: clientmsgid %s was sent before (msg_id %s)", endpoint, clientmsgid,
                     data.get("msg_id"))
            return {"msg_id": _text(data.get("msg_id")), "msg_data_id": _text(data.get("msg_data_id")),
                    "duplicate": True}
        return {"msg_id": _text(data.get("msg_id")), "msg_data_id": _text(data.get("msg_data_id")),
                "duplicate": False}

    def preview_text(self, openid: str, content: str) -> None:
        self.call("message/mass/preview", {"touser": openid, "msgtype": "text", "text": {"content": content}})

    def mass_status(self, msg_id: str) -> str:
        return str(self.call("message/mass/get", {"msg_id": msg_id}).get("msg_status", ""))

    # --- tags and menu ------------------------------------------------------------------

    def create_tag(self, name: str) -> int:
        return int(self.call("tags/create", {"tag": {"name": name}})["tag"]["id"])

    def get_tags(self) -> dict[str, int]:
        return {tag["name"]: int(tag["id"]) for tag in self.call("tags/get", {}).get("tags", [])}

    def tag_users(self, tag_id: int, openids: list[str]) -> None:
        self.call("tags/members/batchtagging", {"openid_list": list(openids), "tagid": tag_id})

    def untag_users(self, tag_id: int, openids: list[str]) -> None:
        self.call("tags/members/batchuntagging", {"openid_list": list(openids), "tagid": tag_id})

    def create_menu(self, menu: dict[str, Any]) -> None:
        self.call("menu/create", menu)


def _read(response: requests.Response, endpoint: str) -> dict[str, Any]:
    """Turn an HTTP response into data or a typed error; WeChat reports errors with HTTP 200."""
    if response.status_code >= 500:
        raise TransientError(response.status_code, f"HTTP {response.status_code}", endpoint)
    if response.status_code != 200:
        raise PermanentError(response.status_code, f"HTTP {response.status_code}", endpoint)
    try:
        data = response.json()
    except ValueError:
        raise TransientError(0, "answer is not JSON", endpoint, ambiguous=True) from None
    if not isinstance(data, dict):
        raise TransientError(0, "answer is not a JSON object", endpoint, ambiguous=True)
    errcode = int(data.get("errcode", 0) or 0)
    if errcode:
        error = classify(errcode, str(data.get("errmsg", "")), endpoint)
        error.data = data  # 45065 carries the earlier msg_id
        raise error
    return data


def _never_connected(error: requests.ConnectionError) -> bool:
    """True when the connection was refused or never opened, so WeChat cannot have seen the request."""
    text = repr(error)
    return any(mark in text for mark in ("NewConnectionError", "ConnectionRefusedError",
                                         "Failed to establish a new connection", "NameResolutionError"))


def _reason(error: Exception) -> str:
    return type(error).__name__ + (": " + str(error)[:120] if str(error) else "")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
