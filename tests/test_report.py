"""The campaign report: figures from real activity, and `fanzha report` in Markdown and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from bot import db as store
from bot import report as campaign
from bot.cli import main
from bot.db import alerts, cases, console, core
from bot.timeutil import LOCAL_TZ, to_db

TODAY = datetime.now(LOCAL_TZ).date()


def consult(db, n: int, category: str | None, urgent: bool = False, openid: str = "o_a") -> None:
    """A resident message with the advisor's verdict, stored as the webhook stores it."""
    now = to_db(datetime.now(timezone.utc))
    message_id, _ = core.claim_message(db, f"msg:{category}:{n}:{openid}:{urgent}", {
        "openid": openid, "msg_type": "text", "content": "…", "received_at": now})
    core.record_reply(db, message_id, {"type": "text", "content": "…"},
                      {"is_scam": category is not None, "category": category, "risk": "high",
                       "urgent": urgent}, 10.0, now)


@pytest.fixture
def activity(app, config, client):
    """A day of work: consultations, an urgent case, two reports, three quizzes, alerts, the blacklist."""
    with store.connect(config["storage"]["database"]) as db:
        for n in range(3):
            consult(db, n, "刷单返利", openid=f"o_{n}")
        consult(db, 9, "冒充公检法及政府机关", urgent=True)
        consult(db, 10, None)
        now = to_db(datetime.now(timezone.utc))
        cases.insert_case(db, {"ref": "FZ1", "openid": "o_a", "lost": 1, "loss_amount": 35000.0}, now)
        cases.insert_case(db, {"ref": "FZ2", "openid": "o_b", "lost": 0}, now)
        cases.insert_quiz_result(db, "o_a", 2, 5, False, [], now)
        cases.insert_quiz_result(db, "o_a", 5, 5, True, [], now)    # the latest attempt counts
        cases.insert_quiz_result(db, "o_b", 3, 5, False, [], now)
        alerts.save_subscription(db, "o_a", True, "城东街道", ["财会人员"], now)
        alerts.save_subscription(db, "o_b", True, "城东街道", [], now)
        console.upsert_blacklist(db, "phone", "17012345678", "FZ1", "", now, "tester")
        add_alert_run(db, now, sent_count=120)
    return config


def add_alert_run(db, now: str, sent_count: int) -> None:
    alert_id = alerts.insert_alert(db, {"title": "提醒", "content": "谨防刷单", "audience": "all",
                                        "channel": "mass", "schedule_kind": "now", "status": "finished"}, now)
    run_id = db["alert_runs"].insert({"alert_id": alert_id, "scheduled_for": now, "content": "谨防刷单",
                                      "channel": "mass", "status": "sent", "created_at": now,
                                      "started_at": now}).last_pk
    db["alert_batches"].insert({"run_id": run_id, "part": 0, "target": "all", "clientmsgid": "c1",
                                "status": "sent", "sent_count": sent_count})


def test_the_figures_count_what_happened(activity):
    with store.connect(activity["storage"]["database"]) as db:
        figures = campaign.build(db, TODAY, TODAY)
    assert figures.consultations == {"messages": 5, "residents": 4, "scams": 4, "urgent": 1, "checks": 0}
    assert figures.categories == [("刷单返利", 3), ("冒充公检法及政府机关", 1)]
    assert figures.case_figures == {"reported": 2, "with_loss": 1, "loss_total": 35000.0}
    assert figures.alerts == {"sent": 1, "reach": 120}
    assert figures.quiz_attempts == 3
    assert (figures.awareness.participants, figures.awareness.passed) == (2, 1)
    assert dict(figures.awareness_by_group)["城东街道"].rate == 0.5
    assert dict(figures.awareness_by_group)["财会人员"].rate == 1.0
    assert figures.blacklist_new == {"phone": 1}
    assert figures.daily["consultations"] == [5] and figures.days == [str(TODAY)]


def test_reach_of_customer_service_alerts_counts_deliveries_sent(app, config):
    now = to_db(datetime.now(timezone.utc))
    with store.connect(config["storage"]["database"]) as db:
        alert_id = alerts.insert_alert(db, {"title": "提醒", "content": "谨防", "audience": "opted_in",
                                            "channel": "custom", "schedule_kind": "now", "status": "finished"}, now)
        run_id = db["alert_runs"].insert({"alert_id": alert_id, "scheduled_for": now, "content": "谨防",
                                          "channel": "custom", "status": "partial", "created_at": now,
                                          "started_at": now}).last_pk
        for n, status in enumerate(("sent", "sent", "sent", "failed")):
            db["alert_deliveries"].insert({"run_id": run_id, "openid": f"o_{n}", "status": status})
        assert cases.alert_figures(db, "2000-01-01", "2999-01-01") == {"sent": 1, "reach": 3}


def test_answers_inside_flows_are_not_consultations_but_checks_are(resident, config):
    resident.says("测一测")
    resident.says("A")
    resident.says("取消")
    resident.says("查 13812345678")
    resident.says("你好")
    with store.connect(config["storage"]["database"]) as db:
        figures = campaign.build(db, TODAY, TODAY)
    assert figures.consultations["messages"] == 2 and figures.consultations["checks"] == 1
    assert figures.daily["consultations"] == [2]


def test_a_window_without_activity_is_all_zero(activity):
    long_ago = TODAY - timedelta(days=400)
    with store.connect(activity["storage"]["database"]) as db:
        figures = campaign.build(db, long_ago, long_ago + timedelta(days=6))
    assert figures.consultations["messages"] == 0 and figures.awareness.rate is None
    assert figures.daily["cases"] == [0] * 7


def write_config(tmp_path, config) -> str:
    path = tmp_path / "report.toml"
    path.write_text(f'[storage]\ndatabase = "{config["storage"]["database"]}"\n', encoding="utf-8")
    return str(path)


def run_report(tmp_path, config, *args: str):
    return CliRunner().invoke(main, ["--config", write_config(tmp_path, config), "report", *args])


def test_the_cli_prints_markdown(activity, tmp_path):
    result = run_report(tmp_path, activity, "--from", str(TODAY), "--to", str(TODAY))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# 反诈宣传工作统计（{TODAY} 至 {TODAY}）")
    for line in ("| 咨询消息数 | 5 |", "| 号码、链接、银行卡查询 | 0 |", "| 刷单返利 | 3 |", "| 紧急求助（钱已转出或正在转） | 1 |",
                 "| 举报登记数 | 2 |", "| 报告损失金额（元） | 35000.00 |", "| 送达人次 | 120 |",
                 "| 知晓率（目标70%） | 50.0% |", "| 财会人员 | 100.0%（1/1，目标100%） |", "| 城东街道 | 50.0%（1/2，目标70%） |", "| 新增：电话 | 1 |"):
        assert line in result.output


def test_the_cli_prints_csv(activity, tmp_path):
    result = run_report(tmp_path, activity, "--from", str(TODAY), "--to", str(TODAY), "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    values = {(row["section"], row["item"]): row["value"] for row in table}
    assert values[("举报", "有损失的举报")] == "1"
    assert values[("知晓率测试", "参与居民数")] == "2"
    assert values[("预警推送", "发送次数")] == "1"
    assert {row["period_from"] for row in table} == {str(TODAY)}


def test_the_cli_refuses_dates_the_wrong_way_round(activity, tmp_path):
    result = run_report(tmp_path, activity, "--from", "2026-11-30", "--to", "2026-11-01")
    assert result.exit_code == 1 and "before the start date" in result.output


def test_the_cli_refuses_a_malformed_date(activity, tmp_path):
    result = run_report(tmp_path, activity, "--from", "30/11/2026", "--to", "2026-11-01")
    assert result.exit_code == 2 and "is not a date" in result.output


def test_a_day_is_a_beijing_day():
    since, until = campaign.utc_window(date(2026, 11, 1), date(2026, 11, 1))
    assert (since, until) == ("2026-10-31 16:00:00", "2026-11-01 16:00:00")


def test_months_between_cross_the_year():
    assert campaign.months_between(date(2025, 11, 29), date(2026, 2, 1)) == [
        "2025-11", "2025-12", "2026-01", "2026-02"]


def test_awareness_per_month_counts_each_residents_latest_in_that_month():
    results = [{"openid": "a", "passed": 0, "finished_at": "2026-10-10 02:00:00"},
               {"openid": "a", "passed": 1, "finished_at": "2026-10-20 02:00:00"},
               {"openid": "b", "passed": 0, "finished_at": "2026-10-31 17:00:00"}]   # Nov 1st in Beijing
    by_month = dict(campaign.awareness_by_month(results))
    assert (by_month["2026-10"].participants, by_month["2026-10"].rate) == (1, 1.0)
    assert by_month["2026-11"].rate == 0.0
