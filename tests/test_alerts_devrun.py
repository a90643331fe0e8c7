"""`make run`'s dev-run: the web app, the fake WeChat API and the worker together, on loopback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import requests

from bot import db as store
from bot.config import PROJECT_ROOT
from bot.db import alerts as alerts_store
from tests.alert_helpers import add_residents


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


def cli(config, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(config), *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_dev_run_sends_an_alert_through_the_fake_and_gets_the_job_report_back(tmp_path):
    web, api = free_port(), free_port()
    config = tmp_path / "dev.toml"
    config.write_text(f"""[wechat]
token = "devtoken"
app_id = "wxdevtest"
app_secret = "devsecret"
account_id = "gh_dev"
api_base_url = "http://127.0.0.1:{api}/cgi-bin/"
[storage]
database = "{tmp_path / 'fanzha.db'}"
[server]
secret_key = "dev-secret-key"
[alerts]
worker_poll_seconds = 0.2
""", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "--config", str(config), "dev-run",
                               "--port", str(web)], cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: requests.get(f"http://127.0.0.1:{web}/", timeout=1).ok)
        wait_until(lambda: requests.get(f"http://127.0.0.1:{api}/_fake/touch?openid=o_dev", timeout=1).ok)
        db = store.connect(str(tmp_path / "fanzha.db"))

        class Toucher:  # the fake runs in another process: open its window over HTTP
            def touch(self, openid, at=None):
                requests.get(f"http://127.0.0.1:{api}/_fake/touch", params={"openid": openid}, timeout=2)

        add_residents(db, Toucher(), ["o_dev_1", "o_dev_2"])
        created = cli(config, "alert", "create", "--title", "本地", "--text", "本地预警", "--preview-openid", "o_op")
        assert created.returncode == 0, created.stderr
        assert cli(config, "alert", "confirm", "1").returncode == 0
        batch = wait_until(lambda: [b for b in db.query("SELECT * FROM alert_batches") if b["job_status"]])
        assert batch[0]["job_status"] == "send success" and batch[0]["sent_count"] == 2
        assert alerts_store.runs_for_alert(db, 1)[0]["status"] == "sent"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    for port in (web, api):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after dev-run stopped"
