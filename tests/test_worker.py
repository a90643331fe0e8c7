"""The worker against the fake WeChat API: every channel, every error code, two workers at once."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from bot import db as store
from bot.alerts.worker import Worker
from bot.db import alerts as alerts_store
from bot.wechat import fake_api
from bot.wechat.api import WeChatAPI
from tests.alert_helpers import TZ, add_residents, make_alert

RESIDENTS = [f"o_res_{i:02d}" for i in range(6)]


def drain(worker: Worker, rounds: int = 50) -> None:
    for _ in range(rounds):
        if not worker.tick():
            return


def settle(worker: Worker, db, alert_id, statuses=("sent", "partial", "failed"), seconds: float = 5.0) -> dict:
    """Tick until the alert's run reaches one of `statuses` (retries wait a few milliseconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        worker.tick()
        runs = alerts_store.runs_for_alert(db, alert_id)
        if runs and runs[0]["status"] in statuses:
            return runs[0]
        time.sleep(0.005)
    raise AssertionError(f"alert {alert_id} did not settle: {alerts_store.runs_for_alert(db, alert_id)}")


def only_run(db, alert_id):
    runs = alerts_store.runs_for_alert(db, alert_id)
    assert len(runs) == 1
    return runs[0]


def test_a_mass_send_to_all_goes_out_once_and_its_msg_id_is_stored(worker, alerts_db, wechat_api, fake_wechat,
                                                                   alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, audience="all")
    drain(worker)
    run = only_run(alerts_db, alert_id)
    [batch] = alerts_store.batches(alerts_db, run["id"])
    [job] = fake_wechat.delivered_mass()
    assert run["status"] == "sent" and batch["msg_id"] == job["msg_id"]
    assert job["target"] == "all" and batch["clientmsgid"] == job["clientmsgid"]
    assert alerts_store.alert(alerts_db, alert_id)["status"] == "finished"
    drain(worker)
    assert len(fake_wechat.calls_to("message/mass/sendall")) == 1


def test_masssendjobfinish_at_the_webhook_updates_the_counts(app, config, resident, fake_wechat, alert_texts):
    db = store.connect(config["storage"]["database"])
    config["wechat"].update(api_base_url=fake_wechat.base_url, app_secret="test-secret")
    config["alerts"].update(retry_base_seconds=0.01)
    api = WeChatAPI(config, db)
    add_residents(db, fake_wechat, RESIDENTS)
    alert_id = make_alert(db, api, alert_texts, audience="opted_in")
    drain(Worker(config, db, api))
    [batch] = alerts_store.batches(db, only_run(db, alert_id)["id"])
    assert resident.reply_to(fake_wechat.job_finish_xml(batch["msg_id"], errors=1, filtered=1)) == ""
    [batch] = alerts_store.batches(db, batch["run_id"])
    assert (batch["job_status"], batch["total_count"], batch["filter_count"], batch["sent_count"],
            batch["error_count"]) == ("send success", 6, 5, 4, 1)
    assert core_follower_absent(db, "o_wechat_mass_system")


def core_follower_absent(db, openid) -> bool:
    return not list(db.query("SELECT 1 FROM followers WHERE openid = ?", [openid]))


def test_one_tag_uses_sendall_by_tag_id_and_creates_the_tag_first(worker, alerts_db, wechat_api, fake_wechat,
                                                                  alert_texts):
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, audience="tags", tags=["老年人"])
    drain(worker)
    [call] = fake_wechat.calls_to("message/mass/sendall")
    assert call.body["filter"] == {"is_to_all": False, "tag_id": alerts_store.tag_id(alerts_db, "老年人")}
    assert only_run(alerts_db, alert_id)["status"] == "sent"


def test_several_tags_become_one_openid_list_so_nobody_gets_it_twice(worker, alerts_db, wechat_api,
                                                                     fake_wechat, alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS[:2], groups=["老年人", "学生"])
    add_residents(alerts_db, fake_wechat, RESIDENTS[2:4], groups=["学生"])
    add_residents(alerts_db, fake_wechat, RESIDENTS[4:], groups=["财务人员"])
    make_alert(alerts_db, wechat_api, alert_texts, audience="tags", tags=["老年人", "学生"])
    drain(worker)
    [call] = fake_wechat.calls_to("message/mass/send")
    assert call.body["touser"] == RESIDENTS[:4]


def test_large_openid_lists_are_split_with_a_clientmsgid_per_part(tmp_path, fake_wechat, alert_texts):
    from tests.wechat_api_fixtures import alerts_config

    config = alerts_config(tmp_path, fake_wechat, mass_batch_size=4)
    db = store.connect(config["storage"]["database"])
    store.migrate(db)
    api = WeChatAPI(config, db)
    add_residents(db, fake_wechat, [f"o_{i:02d}" for i in range(10)])
    alert_id = make_alert(db, api, alert_texts, audience="opted_in")
    drain(Worker(config, db, api))
    sizes = [len(c.body["touser"]) for c in fake_wechat.calls_to("message/mass/send")]
    clientmsgids = [c.body["clientmsgid"] for c in fake_wechat.calls_to("message/mass/send")]
    assert sizes == [4, 4, 2] and len(set(clientmsgids)) == 3
    assert only_run(db, alert_id)["status"] == "sent"


def test_customer_service_messages_reach_opted_in_residents_active_in_48_hours(worker, alerts_db, wechat_api,
                                                                               fake_wechat, alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS[:3], wrote_hours_ago=2)
    add_residents(alerts_db, fake_wechat, RESIDENTS[3:4], wrote_hours_ago=50)
    add_residents(alerts_db, fake_wechat, RESIDENTS[4:], opted_in=False)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, audience="opted_in", channel="custom")
    drain(worker)
    run = only_run(alerts_db, alert_id)
    assert sorted(o for o, _ in fake_wechat.custom_messages) == RESIDENTS[:3]
    assert alerts_store.delivery_counts(alerts_db, run["id"]) == {"sent": 3, "skipped": 1, "possible_duplicate": 0}
    assert run["status"] == "sent"


def test_a_window_closing_before_the_send_is_45015_recorded_and_explained(worker, alerts_db, wechat_api,
                                                                          fake_wechat, alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS[:2])
    fake_wechat.touch(RESIDENTS[1], at=fake_wechat.clock() - 49 * 3600)  # WeChat knows better than we do
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, channel="custom")
    drain(worker)
    run = only_run(alerts_db, alert_id)
    [failed] = alerts_store.failed_deliveries(alerts_db, run["id"])
    assert (failed["openid"], failed["errcode"], run["status"]) == (RESIDENTS[1], 45015, "partial")
    assert "48 小时" in alert_texts.explain(failed["errcode"])
    assert len(fake_wechat.calls_to("message/custom/send")) == 2


@pytest.mark.parametrize("injected", [-1, fake_api.HTTP_500, fake_api.REFUSE, 45011])
def test_transient_errors_are_retried_with_backoff(worker, alerts_db, wechat_api, fake_wechat, alert_texts,
                                                   injected):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/mass/send", injected, injected)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts)
    worker.tick()
    run = only_run(alerts_db, alert_id)
    assert run["status"] == "waiting" and run["attempts"] == 1
    assert run["next_attempt_at"] > worker.clock()
    run = settle(worker, alerts_db, alert_id)
    assert run["status"] == "sent" and run["attempts"] == 2
    assert len(fake_wechat.delivered_mass()) == 1


def test_a_lost_answer_to_a_mass_send_is_resent_with_the_same_clientmsgid(worker, alerts_db, wechat_api,
                                                                          fake_wechat, alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/mass/send", fake_api.DROP)  # WeChat sent it, but the answer never came
    alert_id = make_alert(alerts_db, wechat_api, alert_texts)
    settle(worker, alerts_db, alert_id)
    calls = fake_wechat.calls_to("message/mass/send")
    assert [c.errcode for c in calls] == [0, 45065]
    assert calls[0].body["clientmsgid"] == calls[1].body["clientmsgid"]
    [job] = fake_wechat.delivered_mass()
    assert alerts_store.batches(alerts_db, only_run(alerts_db, alert_id)["id"])[0]["msg_id"] == job["msg_id"]


def test_transient_errors_give_up_after_max_attempts(tmp_path, fake_wechat, alert_texts):
    from tests.wechat_api_fixtures import alerts_config

    config = alerts_config(tmp_path, fake_wechat, max_attempts=3)
    db = store.connect(config["storage"]["database"])
    store.migrate(db)
    api = WeChatAPI(config, db)
    add_residents(db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/mass/send", -1, -1, -1, -1)
    alert_id = make_alert(db, api, alert_texts)
    run = settle(Worker(config, db, api), db, alert_id, statuses=("failed",))
    assert (run["status"], run["attempts"], run["errcode"]) == ("failed", 3, -1)
    assert len(fake_wechat.calls_to("message/mass/send")) == 3


@pytest.mark.parametrize("errcode", [45009, 45028])
def test_a_spent_daily_quota_waits_for_the_next_day(worker, alerts_db, wechat_api, fake_wechat, alert_texts,
                                                    errcode):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/mass/send", errcode)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts)
    drain(worker)
    run = only_run(alerts_db, alert_id)
    local = datetime.now(TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    assert run["status"] == "waiting" and run["errcode"] == errcode
    assert midnight.timestamp() <= run["next_attempt_at"] <= midnight.timestamp() + 120
    assert fake_wechat.delivered_mass() == []
    later = Worker(worker_config(worker), alerts_db, wechat_api, clock=lambda: run["next_attempt_at"] + 1)
    drain(later)
    assert only_run(alerts_db, alert_id)["status"] == "sent" and len(fake_wechat.delivered_mass()) == 1


def worker_config(worker: Worker) -> dict:
    return {"alerts": {"timezone": "Asia/Shanghai", "lease_seconds": worker.lease,
                       "retry_base_seconds": worker.retry_base, "max_attempts": worker.max_attempts,
                       "mass_batch_size": worker.batch_size, "worker_poll_seconds": worker.poll,
                       "ambiguous_custom_send": "resend"},
            "wechat": {"app_id": worker.app_id}}


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_a_refused_token_mid_run_is_refreshed_once_and_the_send_goes_out(worker, alerts_db, wechat_api,
                                                                          fake_wechat, alert_texts, errcode):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/custom/send", errcode)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, channel="custom")
    drain(worker)
    assert only_run(alerts_db, alert_id)["status"] == "sent"
    assert len(fake_wechat.custom_messages) == len(RESIDENTS)
    assert [c.body["force_refresh"] for c in fake_wechat.calls_to("stable_token")] == [False, True]


@pytest.mark.parametrize("errcode", [40003, 47001, 20008])
def test_permanent_errors_are_recorded_not_retried(worker, alerts_db, wechat_api, fake_wechat, alert_texts,
                                                   errcode):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/mass/send", errcode)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts)
    drain(worker)
    run = only_run(alerts_db, alert_id)
    assert (run["status"], run["errcode"]) == ("failed", errcode)
    assert len(fake_wechat.calls_to("message/mass/send")) == 1
    assert alert_texts.explain(errcode) != alert_texts.errors["unknown"]


def test_a_resident_who_left_the_window_mid_fanout_fails_alone(worker, alerts_db, wechat_api, fake_wechat,
                                                               alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/custom/send", 45047)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, channel="custom")
    drain(worker)
    counts = alerts_store.delivery_counts(alerts_db, only_run(alerts_db, alert_id)["id"])
    assert counts["sent"] == 5 and counts["failed"] == 1


def test_two_workers_at_once_send_every_alert_once(api_config, alerts_db, wechat_api, fake_wechat, alert_texts):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    ids = [make_alert(alerts_db, wechat_api, alert_texts, content=f"预警 {n}", channel=channel)
           for n, channel in enumerate(["mass", "custom"] * 4)]
    path = api_config["storage"]["database"]
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        db = store.connect(path)
        worker = Worker(api_config, db, WeChatAPI(api_config, db), owner=name)
        barrier.wait()
        for _ in range(100):
            worker.tick()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {only_run(alerts_db, i)["status"] for i in ids} == {"sent"}
    assert len(fake_wechat.delivered_mass()) == 4
    assert len({job["clientmsgid"] for job in fake_wechat.delivered_mass()}) == 4
    sent = fake_wechat.custom_messages
    assert len(sent) == len(set(sent)) == 4 * len(RESIDENTS)
    assert len(fake_wechat.calls_to("stable_token")) == 1


def test_a_cancelled_alert_is_not_sent(worker, alerts_db, wechat_api, fake_wechat, alert_texts):
    from bot.alerts import service

    add_residents(alerts_db, fake_wechat, RESIDENTS)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, schedule="daily 09:00")
    service.cancel(alerts_db, alert_id, alert_texts, datetime.now(timezone.utc))
    drain(Worker(worker_config(worker), alerts_db, wechat_api, clock=lambda: worker.clock() + 3 * 86400))
    assert alerts_store.runs_for_alert(alerts_db, alert_id) == []
    assert fake_wechat.delivered_mass() == []


@pytest.mark.parametrize("policy", ["resend", "hold"])
def test_a_customer_service_send_whose_answer_was_lost_follows_the_policy(tmp_path, fake_wechat, alert_texts,
                                                                          policy):
    """The residual risk, pinned: WeChat has no idempotency key for customer-service messages."""
    from tests.wechat_api_fixtures import alerts_config

    config = alerts_config(tmp_path, fake_wechat, ambiguous_custom_send=policy)
    db = store.connect(config["storage"]["database"])
    store.migrate(db)
    api = WeChatAPI(config, db)
    add_residents(db, fake_wechat, RESIDENTS[:3])
    fake_wechat.fail("message/custom/send", fake_api.DROP)  # delivered, but we never hear so
    alert_id = make_alert(db, api, alert_texts, channel="custom")
    run = settle(Worker(config, db, api), db, alert_id)
    counts = alerts_store.delivery_counts(db, run["id"])
    first = RESIDENTS[0]
    received = [openid for openid, _ in fake_wechat.custom_messages]
    if policy == "resend":
        assert received.count(first) == 2 and counts == {"sent": 3, "possible_duplicate": 1}
        assert run["status"] == "sent"
    else:
        assert received.count(first) == 1 and counts == {"sent": 2, "unknown": 1, "possible_duplicate": 1}
        assert run["status"] == "partial"


def test_a_job_report_arriving_before_the_msg_id_is_stored_is_kept_and_applied(worker, alerts_db, wechat_api,
                                                                               fake_wechat, alert_texts):
    from bot.alerts.results import record_job_finish

    add_residents(alerts_db, fake_wechat, RESIDENTS)
    fake_wechat.fail("message/mass/send", fake_api.DROP)  # sent, but the worker never learns the msg_id
    alert_id = make_alert(alerts_db, wechat_api, alert_texts)
    worker.tick()
    [job] = fake_wechat.delivered_mass()
    fields = {"MsgID": job["msg_id"], "Status": "send success", "TotalCount": "6", "FilterCount": "6",
              "SentCount": "6", "ErrorCount": "0"}
    assert record_job_finish(alerts_db, fields, datetime.now(timezone.utc)) is False
    run = settle(worker, alerts_db, alert_id)
    [batch] = alerts_store.batches(alerts_db, run["id"])
    assert (batch["msg_id"], batch["job_status"], batch["sent_count"]) == (job["msg_id"], "send success", 6)


def test_a_worker_asked_to_stop_hands_the_run_back_between_two_sends(worker, alerts_db, wechat_api, fake_wechat,
                                                                     alert_texts, api_config):
    add_residents(alerts_db, fake_wechat, RESIDENTS)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, channel="custom")
    send = wechat_api.send_custom_text

    def send_then_stop(openid: str, content: str) -> None:
        send(openid, content)
        if len(fake_wechat.custom_messages) == 2:
            worker.stop.set()  # SIGTERM arrives during the second call

    wechat_api.send_custom_text = send_then_stop
    worker.tick()
    run = only_run(alerts_db, alert_id)
    counts = alerts_store.delivery_counts(alerts_db, run["id"])
    assert run["status"] == "pending" and run["lease_owner"] is None
    assert counts == {"sent": 2, "pending": 4, "possible_duplicate": 0}
    fresh = Worker(api_config, alerts_db, WeChatAPI(api_config, alerts_db), owner="next")
    assert settle(fresh, alerts_db, alert_id)["status"] == "sent"
    assert sorted(o for o, _ in fake_wechat.custom_messages) == RESIDENTS
