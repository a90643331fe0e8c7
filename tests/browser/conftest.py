"""A live console on a loopback port and Debian's headless chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by
`make test` through the Makefile's `browser` target).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from bot import create_app
from bot import db as store
from bot.admin.auth import create_operator
from bot.cli.server import run_setup
from bot.db import core
from bot.timeutil import to_db
from bot.wechat.simulator import WeChatSimulator
from tests.conftest import TEST_ACCOUNT
from tests.console_fixtures import console_config

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ADMIN = ("zhang", "browser-pass-123")

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (run `make browser`)",
                allow_module_level=True)


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 in a background thread."""

    def __init__(self, app, config: dict):
        self.config = config
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        wechat = config["wechat"]
        self.wechat = WeChatSimulator(wechat["token"], wechat["encoding_aes_key"], wechat["app_id"], TEST_ACCOUNT)

    def resident_says(self, text: str, openid: str = "o_browser_resident") -> str:
        """A signed WeChat push over HTTP; the text of the account's reply."""
        signed = self.wechat.sign(self.wechat.text_xml(openid, text), "safe")
        response = requests.post(f"{self.url}/wechat", params=signed.query, data=signed.body,
                                 headers={"Content-Type": "text/xml"}, timeout=10)
        assert response.status_code == 200, response.text
        return self.wechat.read_reply(response.content).get("Content", "")


def _seed_messages(database: str) -> None:
    """Two weeks of resident messages so the dashboard has something to draw."""
    db = store.connect(database)
    now = datetime.now(timezone.utc)
    kinds = [("刷单返利", True), ("虚假网络投资理财", False), (None, False), ("冒充电商物流客服", False)]
    try:
        for day in range(14):
            for index in range(day % 4 + 2):
                category, urgent = kinds[(day + index) % len(kinds)]
                when = now - timedelta(days=day, minutes=index * 7)
                message_id, _ = core.claim_message(db, f"seed-{day}-{index}", {
                    "openid": f"o_seed_{index}", "msg_type": "text", "content": f"第{day}天的第{index}条消息",
                    "received_at": to_db(when)})
                verdict = {"is_scam": category is not None, "category": category, "urgent": urgent and index == 0,
                           "risk": "high" if category else "none", "signals": []}
                core.record_reply(db, message_id, {"type": "text", "content": "回复"}, verdict, 3.0, to_db(when))
    finally:
        db.conn.close()


@pytest.fixture
def live_server(tmp_path):
    config = console_config(tmp_path, knowledge={"reload_check_seconds": 0.2})
    run_setup(config, echo=lambda _line: None)
    db = store.connect(config["storage"]["database"])
    create_operator(db, ADMIN[0], ADMIN[1], "admin")
    db.conn.close()
    _seed_messages(config["storage"]["database"])
    server = LiveServer(create_app(config), config)
    server.thread.start()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, server: LiveServer) -> None:
    page.goto(f"{server.url}/admin/")
    page.fill("#name", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("#btn-login")
    page.wait_for_url(f"{server.url}/admin/")
