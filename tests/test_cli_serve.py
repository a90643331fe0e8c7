"""`fanzha serve` answers the health check, and `fanzha chat` talks to it like WeChat would."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from bench.webhook import free_port, write_config
from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_fanzha_serve_answers_the_health_check(tmp_path):
    config_path, _wechat = write_config(tmp_path)
    port = free_port()
    process = subprocess.Popen([str(BIN / "fanzha"), "serve", "--config", str(config_path),
                                "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = None
        deadline = time.monotonic() + 60
        while body is None and time.monotonic() < deadline:
            assert process.poll() is None, "fanzha serve exited"
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
            except OSError:
                time.sleep(0.2)
        assert body is not None and b'"status"' in body
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def running_account(app, config, tmp_path):
    """The app served on a loopback port, plus a config file naming the same secrets."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    wechat = config["wechat"]
    config_file = tmp_path / "chat.toml"
    config_file.write_text(
        f'[wechat]\ntoken = "{wechat["token"]}"\napp_id = "{wechat["app_id"]}"\n'
        f'encoding_aes_key = "{wechat["encoding_aes_key"]}"\n', encoding="utf-8")
    yield f"http://127.0.0.1:{server.server_port}/wechat", config_file
    server.shutdown()


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_fanzha_chat_sends_each_line_as_a_signed_message_and_shows_the_reply(running_account, app, mode):
    url, config_file = running_account
    result = CliRunner().invoke(main, ["--config", str(config_file), "chat", "--url", url, "--mode", mode,
                                       "--openid", "o_chat"], input="你好\n/quit\n")
    assert result.exit_code == 0, result.output
    reply = result.output.split("反诈助手> ", 1)[1].strip()
    assert reply and not reply.startswith("(服务器拒绝")


def test_fanzha_chat_says_clearly_when_the_server_is_unreachable(tmp_path):
    config_path, _wechat = write_config(tmp_path)
    url = f"http://127.0.0.1:{free_port()}/wechat"
    result = CliRunner().invoke(main, ["--config", str(config_path), "chat", "--url", url], input="你好\n")
    assert result.exit_code == 1
    assert "cannot reach" in result.output


def test_the_development_console_login_is_created_once_and_works(app, config):
    from bot.admin.auth import authenticate
    from bot.cli.server import ensure_dev_admin
    from bot.db import connect

    name, password = ensure_dev_admin(config)
    assert ensure_dev_admin(config) == (name, password)
    operator = authenticate(connect(config["storage"]["database"]), name, password)
    assert operator is not None and operator["role"] == "admin"
