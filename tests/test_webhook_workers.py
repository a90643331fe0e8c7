"""Retries and nonces across gunicorn worker processes: one processing, one answer, one refusal."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from bench.webhook import free_port, write_config
from bot.db import connect
from bot.wechat.simulator import WeChatSimulator

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The account under gunicorn with four worker processes on a loopback port."""
    folder = tmp_path_factory.mktemp("gunicorn")
    config_path, wechat = write_config(folder)
    env = os.environ | {"FANZHA_CONFIG": str(config_path)}
    subprocess.run([str(BIN / "fanzha"), "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(BIN / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", "server:app"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process)
        simulator = WeChatSimulator(wechat["token"], wechat["encoding_aes_key"], wechat["app_id"])
        yield url, simulator, folder / "bench.db"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not come up")


def post(url: str, push) -> requests.Response:
    # A new connection each time, so the pushes spread over the worker processes.
    return requests.post(url + "/wechat", params=push.query, data=push.body,
                         headers={"Connection": "close"}, timeout=10)


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_concurrent_retries_on_different_workers_are_processed_once(served, mode):
    url, simulator, database = served
    xml = simulator.text_xml(f"o_retry_{mode}", "客服让我下载会议软件开屏幕共享")
    pushes = [simulator.sign(xml, mode) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda push: post(url, push), pushes))
    assert [r.status_code for r in responses] == [200] * 6
    contents = {simulator.read_reply(r.content)["Content"] for r in responses}
    assert len(contents) == 1
    rows = list(connect(str(database)).query(
        "SELECT COUNT(*) AS n FROM messages WHERE openid = ?", [f"o_retry_{mode}"]))
    assert rows[0]["n"] == 1


def test_a_replayed_nonce_is_refused_by_every_worker(served):
    url, simulator, _database = served
    first = simulator.sign(simulator.text_xml("o_replay", "原始消息"))
    assert post(url, first).status_code == 200
    forged_body = simulator.text_xml("o_replay", "伪造的消息").encode()
    statuses = [requests.post(url + "/wechat", params=first.query, data=forged_body,
                              headers={"Connection": "close"}, timeout=10).status_code
                for _ in range(8)]
    assert statuses == [403] * 8
