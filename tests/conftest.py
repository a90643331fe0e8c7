"""Shared fixtures: a configured app on a fresh database, and a resident talking through WeChat.

Feature fixtures live in their own modules, listed in pytest_plugins.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from bot import config as config_module
from bot import create_app
from bot.cli.server import run_setup
from bot.wechat.simulator import WeChatSimulator

pytest_plugins: list[str] = ["tests.console_fixtures", "tests.wechat_api_fixtures"]

TEST_TOKEN = "test-token"
TEST_APP_ID = "wx0123456789abcdef"
TEST_ACCOUNT = "gh_fanzha_test"


def make_config(tmp_path: Path, **sections) -> dict:
    """A validated config on a database under tmp_path; keyword sections override settings."""
    aes_key = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    overrides = {
        "wechat": {"token": TEST_TOKEN, "app_id": TEST_APP_ID, "encoding_aes_key": aes_key,
                   "account_id": TEST_ACCOUNT, "app_secret": "test-secret",
                   "api_base_url": "http://127.0.0.1:9/cgi-bin/"},
        "storage": {"database": str(tmp_path / "fanzha.db")},
        "server": {"secret_key": "test-secret-key"},
        "console": {"secure_cookies": False},
    }
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return config_module.load(None, environ={}, overrides=overrides)


@pytest.fixture
def config(tmp_path: Path) -> dict:
    return make_config(tmp_path)


@pytest.fixture
def app(config: dict):
    run_setup(config, echo=lambda _line: None)
    app = create_app(config)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class Resident:
    """A resident's phone: sends signed pushes through the test client and reads the replies."""

    def __init__(self, client, config: dict, openid: str = "o_resident_1", mode: str = "plaintext"):
        wechat = config["wechat"]
        self.client = client
        self.openid = openid
        self.mode = mode
        self.wechat = WeChatSimulator(wechat["token"], wechat["encoding_aes_key"], wechat["app_id"],
                                      TEST_ACCOUNT)

    def push(self, xml: str, **sign_options):
        signed = self.wechat.sign(xml, self.mode, **sign_options)
        return self.client.post("/wechat", query_string=signed.query, data=signed.body,
                                content_type="text/xml")

    def reply_to(self, xml: str) -> str:
        """Push a message and return the text of the reply ('' for an empty 'success')."""
        response = self.push(xml)
        assert response.status_code == 200, response.get_data(as_text=True)
        return self.wechat.read_reply(response.data).get("Content", "")

    def says(self, text: str) -> str:
        return self.reply_to(self.wechat.text_xml(self.openid, text))

    def does(self, event: str, **fields) -> str:
        return self.reply_to(self.wechat.event_xml(self.openid, event, **fields))


@pytest.fixture
def resident(client, config) -> Resident:
    return Resident(client, config)
