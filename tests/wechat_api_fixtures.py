"""Fixtures for everything outbound: the fake WeChat API on loopback, a client, a worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import db as store
from bot.alerts.knowledge import load as load_alert_texts
from bot.alerts.worker import Worker
from bot.config import PROJECT_ROOT
from bot.wechat.api import WeChatAPI
from bot.wechat.fake_api import FakeServer, FakeWeChat
from tests.conftest import TEST_APP_ID, make_config

FAKE_SECRET = "test-secret"


@pytest.fixture
def fake_wechat():
    """The fake WeChat API, served on 127.0.0.1 at a free port for the test."""
    fake = FakeWeChat(app_id=TEST_APP_ID, secret=FAKE_SECRET)
    server = FakeServer(fake).start()
    fake.base_url = server.base_url
    yield fake
    server.stop()


def alerts_config(tmp_path: Path, fake: FakeWeChat, **alerts) -> dict:
    """A config whose API calls go to the fake, with fast retries for tests."""
    settings = {"api_calls_per_minute": 100000, "retry_base_seconds": 0.01, "worker_poll_seconds": 0.05,
                "lease_seconds": 30.0, **alerts}
    return make_config(tmp_path, wechat={"api_base_url": fake.base_url, "app_secret": FAKE_SECRET},
                       alerts=settings)


@pytest.fixture
def api_config(tmp_path, fake_wechat) -> dict:
    return alerts_config(tmp_path, fake_wechat)


@pytest.fixture
def alerts_db(api_config):
    db = store.connect(api_config["storage"]["database"])
    store.migrate(db)
    yield db
    db.conn.close()


@pytest.fixture
def wechat_api(api_config, alerts_db) -> WeChatAPI:
    return WeChatAPI(api_config, alerts_db, timeout=(2.0, 5.0))


@pytest.fixture
def worker(api_config, alerts_db, wechat_api) -> Worker:
    return Worker(api_config, alerts_db, wechat_api, owner="test-worker")


@pytest.fixture(scope="session")
def alert_texts():
    return load_alert_texts(PROJECT_ROOT / "knowledge")
