"""Alerts as operators make them: schedules and recurrence, preview before sending, limits, quotas, menu."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from bot.alerts import menu as menus
from bot.alerts import schedule as schedules
from bot.alerts import service
from bot.alerts.service import AlertProblem, AlertSpec
from bot.alerts.worker import Worker
from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.db import alerts as alerts_store
from tests.alert_helpers import OPERATOR, TZ, add_residents, make_alert

# Sunday 2026-11-29 10:00 in Beijing.
SUNDAY = datetime(2026, 11, 29, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize("text, kind, clock, weekday", [
    ("daily 09:00", "daily", "09:00", None), ("每天 8:30", "daily", "08:30", None),
    ("every Monday 09:00", "weekly", "09:00", 0), ("every friday at 18:05", "weekly", "18:05", 4),
    ("每周一 09:00", "weekly", "09:00", 0), ("每星期日 20:00", "weekly", "20:00", 6),
])
def test_recurring_schedules_are_read_in_english_and_chinese(text, kind, clock, weekday):
    parsed = schedules.parse(text, SUNDAY, TZ)
    assert (parsed.kind, parsed.clock, parsed.weekday) == (kind, clock, weekday)


def test_one_off_schedules_are_local_time():
    assert schedules.parse("now", SUNDAY, TZ) == schedules.Schedule("now", at=SUNDAY)
    at = schedules.parse("2026-12-01 09:00", SUNDAY, TZ).at
    assert at.astimezone(timezone.utc) == datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["someday", "daily 25:00", "every Moonday 09:00", "2026-13-01 09:00"])
def test_unreadable_schedules_are_refused(text):
    with pytest.raises(schedules.ScheduleError):
        schedules.parse(text, SUNDAY, TZ)


def test_every_monday_fires_on_mondays_at_nine_beijing_time():
    weekly = schedules.parse("every Monday 09:00", SUNDAY, TZ)
    first = schedules.first_run(weekly, SUNDAY, TZ)
    assert first.astimezone(TZ) == datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    second = schedules.next_after(weekly, first, TZ)
    assert second - first == timedelta(days=7)
    monday_nine = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    assert schedules.first_run(weekly, monday_nine, TZ) == monday_nine


def test_after_downtime_only_the_latest_missed_firing_is_sent():
    daily = schedules.parse("daily 09:00", SUNDAY, TZ)
    first = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    assert schedules.latest_due(daily, first, SUNDAY, TZ).astimezone(TZ) == datetime(2026, 11, 29, 9, 0, tzinfo=TZ)


def test_a_weekly_alert_makes_one_run_per_week_and_moves_on(alerts_db, wechat_api, fake_wechat, alert_texts,
                                                            api_config):
    add_residents(alerts_db, fake_wechat, ["o_a", "o_b"])
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, now=SUNDAY, schedule="every Monday 09:00")
    clock = [SUNDAY.timestamp()]
    worker = Worker(api_config, alerts_db, wechat_api, clock=lambda: clock[0])
    worker.tick()
    assert alerts_store.runs_for_alert(alerts_db, alert_id) == []
    for week in range(3):
        clock[0] = (datetime(2026, 11, 30, 9, 0, 5, tzinfo=TZ) + timedelta(days=7 * week)).timestamp()
        while worker.tick():
            pass
    runs = alerts_store.runs_for_alert(alerts_db, alert_id)
    assert [r["scheduled_for"] for r in runs] == ["2026-12-14 01:00:00", "2026-12-07 01:00:00",
                                                  "2026-11-30 01:00:00"]
    assert len(fake_wechat.delivered_mass()) == 3
    assert len({job["clientmsgid"] for job in fake_wechat.delivered_mass()}) == 3
    assert alerts_store.alert(alerts_db, alert_id)["next_run_at"] == "2026-12-21 01:00:00"


def test_an_alert_at_a_time_waits_for_it(alerts_db, wechat_api, fake_wechat, alert_texts, api_config):
    add_residents(alerts_db, fake_wechat, ["o_a"])
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, now=SUNDAY, schedule="2026-11-29 15:30")
    clock = [SUNDAY.timestamp()]
    worker = Worker(api_config, alerts_db, wechat_api, clock=lambda: clock[0])
    worker.tick()
    assert fake_wechat.delivered_mass() == []
    clock[0] = datetime(2026, 11, 29, 15, 30, tzinfo=TZ).timestamp()
    while worker.tick():
        pass
    assert len(fake_wechat.delivered_mass()) == 1
    assert alerts_store.alert(alerts_db, alert_id)["status"] == "finished"


def test_an_alert_is_sent_only_after_a_preview_of_the_same_text(alerts_db, wechat_api, fake_wechat, alert_texts):
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, confirm=False)
    assert fake_wechat.previews == [(OPERATOR, alerts_store.alert(alerts_db, alert_id)["content"])]
    alerts_db.execute("UPDATE alerts SET content = '改过的正文' WHERE id = ?", [alert_id])
    with pytest.raises(AlertProblem) as caught:
        service.confirm(alerts_db, alert_id, alert_texts, SUNDAY, TZ)
    assert caught.value.key == "changed_since_preview"
    unpreviewed = service.create(alerts_db, AlertSpec("标题", "正文"), alert_texts, SUNDAY, TZ)
    with pytest.raises(AlertProblem) as caught:
        service.confirm(alerts_db, unpreviewed, alert_texts, SUNDAY, TZ)
    assert caught.value.key == "not_previewed"
    assert alerts_store.due_alerts(alerts_db, "2099-01-01 00:00:00") == []


@pytest.mark.parametrize("spec, key", [
    (AlertSpec("", "正文"), "empty_title"),
    (AlertSpec("标题", "  "), "empty_content"),
    (AlertSpec("标题", "诈" * 700), "long_content"),
    (AlertSpec("标题", "正文\x07"), "bad_characters"),
    (AlertSpec("标题", "正文", audience="tags"), "no_tags"),
    (AlertSpec("标题", "正文", audience="tags", tags=["很长的标签名字超过了三十个字节"]), "long_tag"),
    (AlertSpec("标题", "正文", audience="all", channel="custom"), "custom_to_all"),
    (AlertSpec("标题", "正文", schedule="2020-01-01 09:00"), "past"),
    (AlertSpec("标题", "正文", schedule="明天吧"), "bad_schedule"),
])
def test_alerts_are_checked_before_they_are_stored(alerts_db, alert_texts, spec, key):
    with pytest.raises(AlertProblem) as caught:
        service.create(alerts_db, spec, alert_texts, SUNDAY, TZ)
    assert caught.value.key == key and caught.value.message
    assert alerts_store.alerts(alerts_db) == []


def test_the_longest_text_that_fits_is_accepted(alerts_db, alert_texts):
    text = "诈" * (service.CONTENT_LIMIT_BYTES // 3)
    assert service.create(alerts_db, AlertSpec("标题", text), alert_texts, SUNDAY, TZ)


def test_a_subscription_account_is_warned_before_a_second_mass_send_that_day(alerts_db, wechat_api, alert_texts):
    make_alert(alerts_db, wechat_api, alert_texts, now=SUNDAY, schedule="2026-11-29 15:00")
    second = make_alert(alerts_db, wechat_api, alert_texts, now=SUNDAY, schedule="2026-11-29 20:00", confirm=False)
    warnings = service.quota_warnings(alerts_db, alerts_store.alert(alerts_db, second), "subscription",
                                      alert_texts, SUNDAY, TZ)
    assert any("每天只能群发 1 次" in w and "2026-11-29" in w for w in warnings)
    next_day = make_alert(alerts_db, wechat_api, alert_texts, now=SUNDAY, schedule="2026-11-30 09:00",
                          confirm=False)
    assert service.quota_warnings(alerts_db, alerts_store.alert(alerts_db, next_day), "subscription",
                                  alert_texts, SUNDAY, TZ) == []


def test_a_service_account_is_warned_past_four_mass_sends_a_month(alerts_db, wechat_api, alert_texts):
    december = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)  # a Tuesday: four Mondays follow in December
    weekly = make_alert(alerts_db, wechat_api, alert_texts, now=december, schedule="every Monday 09:00",
                        confirm=False)
    row = alerts_store.alert(alerts_db, weekly)
    assert service.quota_warnings(alerts_db, row, "service", alert_texts, december, TZ) == []
    make_alert(alerts_db, wechat_api, alert_texts, now=december, schedule="2026-12-03 10:00")
    warnings = service.quota_warnings(alerts_db, row, "service", alert_texts, december, TZ)
    assert any("每月最多收到 4 次" in w and "1 次" in w for w in warnings)
    daily = make_alert(alerts_db, wechat_api, alert_texts, now=december, schedule="daily 09:00", confirm=False)
    assert any("重复群发" in w for w in service.quota_warnings(
        alerts_db, alerts_store.alert(alerts_db, daily), "service", alert_texts, december, TZ))


def test_customer_service_alerts_say_how_many_residents_are_in_the_window(alerts_db, wechat_api, fake_wechat,
                                                                         alert_texts):
    add_residents(alerts_db, fake_wechat, ["o_a", "o_b"], wrote_hours_ago=3)
    add_residents(alerts_db, fake_wechat, ["o_c"], wrote_hours_ago=72)
    alert_id = make_alert(alerts_db, wechat_api, alert_texts, channel="custom", confirm=False)
    [note] = service.quota_warnings(alerts_db, alerts_store.alert(alerts_db, alert_id), "subscription",
                                    alert_texts, datetime.now(timezone.utc), TZ)
    assert "约 2 人" in note


def test_every_wechat_error_code_the_worker_meets_is_explained(alert_texts):
    for errcode in (-1, 40001, 40014, 42001, 45009, 45011, 45015, 45028, 45047, 45065, 40003, 20008):
        assert alert_texts.explain(errcode) != alert_texts.errors["unknown"], errcode
    assert "99999" in alert_texts.explain(99999)


def test_the_bundled_menu_is_valid_and_has_the_documented_keys():
    body = menus.load(PROJECT_ROOT / "knowledge")
    keys = {b["key"] for top in body["button"] for b in top["sub_button"]}
    assert len(body["button"]) == 3 and all(len(top["sub_button"]) <= 5 for top in body["button"])
    assert {"MENU_REPORT", "MENU_QUIZ", "MENU_CHECK", "MENU_SUBSCRIBE", "MENU_UNSUBSCRIBE",
            "MENU_HELP", "MENU_SETTINGS"} <= keys
    text = (PROJECT_ROOT / "knowledge" / "menu.toml").read_text(encoding="utf-8")
    assert all(key in text.split("[[button]]")[0] for key in keys), "every key is documented at the top"


def _menu(*subs, name="预警订阅", extra_top=0):
    buttons = [{"name": name, "sub_button": list(subs)}]
    buttons += [{"name": f"按钮{n}", "type": "click", "key": f"K{n}"} for n in range(extra_top)]
    return {"button": buttons}


CLICK = {"type": "click", "name": "订阅", "key": "MENU_SUBSCRIBE"}


@pytest.mark.parametrize("data, message", [
    (_menu(CLICK, extra_top=3), "1 to 3 top-level buttons"),
    (_menu(*[{**CLICK, "key": f"K{n}"} for n in range(6)]), "1 to 5 sub-buttons"),
    (_menu(CLICK, name="反诈预警订阅服务"), "24 bytes; WeChat allows 16"),
    (_menu({**CLICK, "name": "订" * 21}), "63 bytes; WeChat allows 60"),
    (_menu({**CLICK, "key": "K" * 129}), "129 bytes; WeChat allows 128"),
    (_menu({**CLICK, "type": "scancode"}), "type must be one of"),
    (_menu({"type": "view", "name": "官网", "url": "ftp://x"}), "url must start with"),
    (_menu(CLICK, {**CLICK, "name": "再订阅"}), "repeated: MENU_SUBSCRIBE"),
    (_menu({"type": "click", "name": "无键"}), "key is missing"),
])
def test_menu_limits_are_checked_with_a_clear_error(data, message):
    with pytest.raises(menus.MenuError) as caught:
        menus.validate(data)
    assert message in str(caught.value)
    assert any(where in str(caught.value) for where in ("button[1]", "top-level", "unique"))


# --- the CLI ------------------------------------------------------------------------------

@pytest.fixture
def cli(api_config, tmp_path, alerts_db):
    path = tmp_path / "cli.toml"
    wechat = api_config["wechat"]
    path.write_text(
        f'[wechat]\napp_id = "{wechat["app_id"]}"\napp_secret = "{wechat["app_secret"]}"\n'
        f'api_base_url = "{wechat["api_base_url"]}"\ntoken = "t"\n'
        f'[storage]\ndatabase = "{api_config["storage"]["database"]}"\n'
        f'[alerts]\nretry_base_seconds = 0.01\nworker_poll_seconds = 0.01\n', encoding="utf-8")

    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--config", str(path), *args], input=input, catch_exceptions=False)
    return invoke


def test_the_cli_creates_previews_confirms_sends_and_shows_an_alert(cli, alerts_db, fake_wechat):
    add_residents(alerts_db, fake_wechat, ["o_a", "o_b"])
    created = cli("alert", "create", "--title", "刷单预警", "--text", "警惕网络刷单诈骗", "--preview-openid", OPERATOR)
    assert created.exit_code == 0 and "alert 1 created" in created.output
    assert fake_wechat.previews == [(OPERATOR, "警惕网络刷单诈骗")]
    confirmed = cli("alert", "confirm", "1")
    assert confirmed.exit_code == 0 and "订阅号" in confirmed.output and "scheduled" in confirmed.output
    assert cli("worker", "--until-idle").exit_code == 0
    [job] = fake_wechat.delivered_mass()
    assert job["recipients"] == ["o_a", "o_b"]
    shown = cli("alert", "show", "1")
    assert f"msg_id {job['msg_id']}" in shown.output and "已提交" in shown.output
    assert "刷单预警" in cli("alert", "list").output


def test_the_cli_explains_failures_in_chinese_and_refuses_unpreviewed_alerts(cli, alerts_db, fake_wechat):
    add_residents(alerts_db, fake_wechat, ["o_a"])
    cli("alert", "create", "--title", "预警", "--text", "正文")
    refused = cli("alert", "confirm", "1")
    assert refused.exit_code == 1 and "请先把预警预览" in refused.output
    cli("alert", "preview", "1", "--openid", OPERATOR)
    cli("alert", "confirm", "1")
    fake_wechat.fail("message/mass/send", 20008)
    cli("worker", "--until-idle")
    assert "涉嫌欺诈" in cli("alert", "show", "1").output
    assert cli("alert", "cancel", "1").exit_code == 1


def test_the_cli_asks_before_scheduling_past_the_quota(cli, alerts_db, fake_wechat):
    for n in (1, 2):
        cli("alert", "create", "--title", f"预警{n}", "--text", f"正文{n}", "--schedule", "2099-01-01 09:00",
            "--preview-openid", OPERATOR)
    assert cli("alert", "confirm", "1").exit_code == 0
    declined = cli("alert", "confirm", "2", input="n\n")
    assert declined.exit_code == 1 and "每天只能群发 1 次" in declined.output
    assert cli("alert", "confirm", "2", "--yes").exit_code == 0


def test_menu_push_checks_then_publishes_to_the_fake(cli, fake_wechat):
    assert "menu ok" in cli("menu", "push", "--check").output
    assert fake_wechat.calls_to("menu/create") == []
    pushed = cli("menu", "push")
    assert pushed.exit_code == 0 and fake_wechat.menu == menus.load(PROJECT_ROOT / "knowledge")
    fake_wechat.fail("menu/create", 40018)
    failed = cli("menu", "push")
    assert failed.exit_code == 1 and "40018" in failed.output


def test_a_cancelled_recurring_alert_stops(cli, alerts_db):
    cli("alert", "create", "--title", "周报", "--text", "每周提醒", "--schedule", "every Monday 09:00",
        "--preview-openid", OPERATOR)
    cli("alert", "confirm", "1", "--yes")
    assert cli("alert", "cancel", "1").exit_code == 0
    assert alerts_store.alert(alerts_db, 1)["status"] == "cancelled"
