"""The WeChat API client against the fake server on loopback: token owner, errors, rate limit."""

from __future__ import annotations

import json
import threading

import pytest

from bot import db as store
from bot.db import alerts as alerts_store
from bot.wechat import fake_api
from bot.wechat.api import (PermanentError, QuotaError, RateLimiter, TransientError, WeChatAPI)
from tests.conftest import TEST_APP_ID


def test_one_stable_token_is_fetched_and_shared_through_the_database(wechat_api, fake_wechat, api_config):
    wechat_api.get_tags()
    other_db = store.connect(api_config["storage"]["database"])
    WeChatAPI(api_config, other_db).get_tags()
    assert len(fake_wechat.calls_to("stable_token")) == 1
    assert fake_wechat.calls_to("token") == []
    body = fake_wechat.calls_to("stable_token")[0].body
    assert body == {"grant_type": "client_credential", "appid": TEST_APP_ID, "secret": "test-secret",
                    "force_refresh": False}


def test_two_processes_needing_a_token_at_once_refresh_it_once(api_config, alerts_db, fake_wechat):
    path = api_config["storage"]["database"]
    barrier = threading.Barrier(6)
    errors = []

    def fetch() -> None:
        api = WeChatAPI(api_config, store.connect(path))
        barrier.wait()
        try:
            api.get_tags()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(fake_wechat.calls_to("stable_token")) == 1
    assert len(fake_wechat.calls_to("tags/get")) == 6


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_a_refused_token_is_refreshed_once_then_the_call_retried(wechat_api, fake_wechat, errcode):
    wechat_api.get_tags()
    fake_wechat.fail("tags/get", errcode)
    assert wechat_api.get_tags() == {}
    refreshes = fake_wechat.calls_to("stable_token")
    assert [call.body["force_refresh"] for call in refreshes] == [False, True]
    assert [call.errcode for call in fake_wechat.calls_to("tags/get")] == [0, errcode, 0]


def test_a_token_refused_twice_is_transient_and_not_refreshed_again(wechat_api, fake_wechat):
    fake_wechat.fail("tags/get", 40001, 40001, 40001)
    with pytest.raises(TransientError) as caught:
        wechat_api.get_tags()
    assert caught.value.errcode == 40001
    assert len(fake_wechat.calls_to("stable_token")) == 2
    assert len(fake_wechat.calls_to("tags/get")) == 2


def test_an_expired_token_is_noticed_by_wechat_and_replaced(wechat_api, fake_wechat):
    wechat_api.get_tags()
    fake_wechat.expire_tokens()
    wechat_api.get_tags()
    assert [c.errcode for c in fake_wechat.calls_to("tags/get")] == [0, 42001, 0]


def test_a_token_near_expiry_is_refreshed_before_use(wechat_api, fake_wechat, alerts_db):
    wechat_api.get_tags()
    alerts_db.execute("UPDATE wechat_tokens SET expires_at = ?", [wechat_api.clock() + 60])
    wechat_api.get_tags()
    assert len(fake_wechat.calls_to("stable_token")) == 2
    assert alerts_store.stored_token(alerts_db, TEST_APP_ID)["expires_at"] > wechat_api.clock() + 7000


def test_bad_credentials_are_permanent(api_config, alerts_db, fake_wechat):
    api_config["wechat"]["app_secret"] = "wrong"
    with pytest.raises(PermanentError) as caught:
        WeChatAPI(api_config, alerts_db).get_tags()
    assert caught.value.errcode == 40125


@pytest.mark.parametrize("injected, kind, errcode", [
    (-1, TransientError, -1),
    (45011, TransientError, 45011),
    (fake_api.HTTP_500, TransientError, 500),
    (45009, QuotaError, 45009),
    (45028, QuotaError, 45028),
    (40003, PermanentError, 40003),
    (45015, PermanentError, 45015),
    (45047, PermanentError, 45047),
])
def test_errors_are_typed_from_errcode_even_on_http_200(wechat_api, fake_wechat, injected, kind, errcode):
    fake_wechat.touch("o_a")
    fake_wechat.fail("message/custom/send", injected)
    with pytest.raises(kind) as caught:
        wechat_api.send_custom_text("o_a", "hi")
    assert caught.value.errcode == errcode
    assert fake_wechat.custom_messages == []


def test_a_dropped_answer_is_ambiguous_but_a_refused_connection_is_not(wechat_api, fake_wechat, api_config,
                                                                       alerts_db):
    fake_wechat.touch("o_a")
    fake_wechat.fail("message/custom/send", fake_api.DROP)
    with pytest.raises(TransientError) as dropped:
        wechat_api.send_custom_text("o_a", "hi")
    assert dropped.value.ambiguous and fake_wechat.custom_messages == [("o_a", "hi")]
    wechat_api.access_token()
    api_config["wechat"]["api_base_url"] = "http://127.0.0.1:9/cgi-bin/"
    with pytest.raises(TransientError) as refused:
        WeChatAPI(api_config, alerts_db).send_custom_text("o_a", "hi")
    assert not refused.value.ambiguous


def test_customer_service_messages_need_the_48_hour_window(wechat_api, fake_wechat):
    fake_wechat.touch("o_recent", at=fake_wechat.clock() - 47 * 3600)
    fake_wechat.touch("o_stale", at=fake_wechat.clock() - 49 * 3600)
    wechat_api.send_custom_text("o_recent", "提醒")
    with pytest.raises(PermanentError) as caught:
        wechat_api.send_custom_text("o_stale", "提醒")
    assert caught.value.errcode == 45015
    assert fake_wechat.custom_messages == [("o_recent", "提醒")]


def test_chinese_is_posted_as_utf8_not_escaped(wechat_api, fake_wechat):
    fake_wechat.touch("o_a")
    wechat_api.session.hooks["response"].append(
        lambda response, **_: captured.append(response.request.body))
    captured: list[bytes] = []
    wechat_api.send_custom_text("o_a", "警惕刷单")
    assert "警惕刷单".encode("utf-8") in captured[-1]
    assert b"\\u" not in captured[-1]


def test_sendall_by_tag_uses_tag_id_not_the_old_group_id(wechat_api, fake_wechat):
    tag = wechat_api.create_tag("老年人")
    wechat_api.tag_users(tag, ["o_a", "o_b"])
    result = wechat_api.send_mass_to_tag(tag, "提醒", "cmid-1")
    body = fake_wechat.calls_to("message/mass/sendall")[0].body
    assert body["filter"] == {"is_to_all": False, "tag_id": tag} and "group_id" not in json.dumps(body)
    assert fake_wechat.jobs[result["msg_id"]]["recipients"] == ["o_a", "o_b"]


def test_a_repeated_clientmsgid_returns_the_earlier_msg_id_without_a_second_send(wechat_api, fake_wechat):
    first = wechat_api.send_mass_to_openids(["o_a", "o_b"], "提醒", "cmid-7")
    again = wechat_api.send_mass_to_openids(["o_a", "o_b"], "提醒", "cmid-7")
    assert again == {**first, "duplicate": True} and not first["duplicate"]
    assert [c.errcode for c in fake_wechat.calls_to("message/mass/send")] == [0, 45065]
    assert len(fake_wechat.delivered_mass()) == 1


def test_sendall_to_all_and_preview_and_status(wechat_api, fake_wechat):
    fake_wechat.touch("o_a")
    result = wechat_api.send_mass_to_all("提醒", "cmid-all")
    assert fake_wechat.calls_to("message/mass/sendall")[0].body["filter"] == {"is_to_all": True}
    assert wechat_api.mass_status(result["msg_id"]) == "SENDING"
    wechat_api.preview_text("o_operator", "预览")
    assert fake_wechat.previews == [("o_operator", "预览")]


def test_tags_create_get_tag_and_untag(wechat_api, fake_wechat):
    tag = wechat_api.create_tag("学生")
    assert wechat_api.get_tags() == {"学生": tag}
    wechat_api.tag_users(tag, ["o_a", "o_b"])
    wechat_api.untag_users(tag, ["o_a"])
    assert fake_wechat.members[tag] == {"o_b"}
    with pytest.raises(PermanentError) as caught:
        wechat_api.create_tag("学生")
    assert caught.value.errcode == 45157
    with pytest.raises(PermanentError):
        wechat_api.tag_users(tag, [f"o_{i}" for i in range(51)])


def test_the_rate_limit_is_shared_and_waits_for_the_next_minute(alerts_db):
    now = [600.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    first = RateLimiter(alerts_db, 3, clock=lambda: now[0], sleep=sleep)
    second = RateLimiter(alerts_db, 3, clock=lambda: now[0], sleep=sleep)
    for limiter in (first, second, first):
        limiter.acquire()
    assert slept == []
    second.acquire()
    assert len(slept) == 1 and 660 <= now[0] < 661


def test_the_client_posts_to_the_configured_base_url_only(api_config, alerts_db, fake_wechat):
    api = WeChatAPI(api_config, alerts_db)
    api.get_tags()
    assert api.base.startswith("http://127.0.0.1:")
    assert {call.endpoint for call in fake_wechat.calls} == {"stable_token", "tags/get"}
