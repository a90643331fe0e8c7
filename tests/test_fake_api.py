"""The fake WeChat API itself: loopback only, error queues, WeChat's token rules, job reports."""

from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from bot import db as store
from bot.db import alerts as alerts_store
from bot.wechat.fake_api import FakeServer, FakeWeChat


def test_it_serves_and_posts_to_loopback_only():
    with pytest.raises(ValueError):
        FakeServer(FakeWeChat(), host="0.0.0.0")
    with pytest.raises(ValueError):
        FakeWeChat().connect_webhook("http://example.com/wechat", "token")


def test_injected_errors_are_answered_in_order_for_their_endpoint_only(wechat_api, fake_wechat):
    fake_wechat.fail("tags/get", -1, 45009)
    for expected in (-1, 45009, 0):
        try:
            wechat_api.get_tags()
        except Exception:  # the client's typed errors are tested in test_api.py
            pass
        assert fake_wechat.calls_to("tags/get")[-1].errcode == expected
    wechat_api.create_tag("学生")
    assert fake_wechat.calls_to("tags/create")[-1].errcode == 0


def test_a_plain_token_fetch_breaks_the_shared_token_as_wechat_does(wechat_api, fake_wechat):
    shared = wechat_api.access_token()
    answer = requests.get(fake_wechat.base_url + "token", timeout=5, params={
        "grant_type": "client_credential", "appid": fake_wechat.app_id, "secret": fake_wechat.secret}).json()
    assert answer["access_token"] != shared
    stale = requests.post(fake_wechat.base_url + "tags/get", params={"access_token": shared}, json={},
                          timeout=5).json()
    assert stale["errcode"] == 40001
    wechat_api.get_tags()  # the client recovers: one forced stable_token refresh
    assert fake_wechat.calls_to("stable_token")[-1].body["force_refresh"] is True


def test_the_window_can_be_opened_over_http_for_local_runs(fake_wechat):
    assert requests.get(fake_wechat.base_url.replace("/cgi-bin/", "/_fake/touch"), params={"openid": "o_x"},
                        timeout=5).json() == {"errcode": 0}
    assert "o_x" in fake_wechat.interactions


def test_a_job_report_reaches_a_live_webhook_in_safe_mode(app, config, fake_wechat, wechat_api):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        wechat = config["wechat"]
        fake_wechat.connect_webhook(f"http://127.0.0.1:{server.server_port}/wechat", wechat["token"],
                                    wechat["account_id"], aes_key=wechat["encoding_aes_key"],
                                    app_id=wechat["app_id"])
        db = store.connect(config["storage"]["database"])
        result = wechat_api.send_mass_to_openids(["o_a", "o_b"], "提醒", "cmid-safe")
        db.execute("INSERT INTO alerts (id, title, content, audience, channel, schedule_kind, created_at, "
                   "updated_at) VALUES (1, 't', 'c', 'all', 'mass', 'now', 'x', 'x')")
        db.execute("INSERT INTO alert_runs (id, alert_id, scheduled_for, content, channel, created_at) "
                   "VALUES (1, 1, 'x', 'c', 'mass', 'x')")
        db.execute("INSERT INTO alert_batches (run_id, part, target, clientmsgid, status, msg_id) "
                   "VALUES (1, 0, 'openids', 'cmid-safe', 'sent', ?)", [result["msg_id"]])
        response = fake_wechat.finish_job(result["msg_id"], errors=1, mode="safe")
        assert response.status_code == 200
        [batch] = alerts_store.batches(db, 1)
        assert (batch["sent_count"], batch["error_count"], batch["total_count"]) == (1, 1, 2)
    finally:
        server.shutdown()
