"""The console's case queue, case page, blacklist step and CSV; the report and awareness pages."""

from __future__ import annotations

import csv
import io

import pytest

from bot import db as store
from bot.db import alerts, cases, console
from bot.timeutil import now_text


@pytest.fixture
def reported(config, resident) -> dict:
    """A case a resident reported through the account."""
    resident.says("举报")
    for answer in ("冒充客服退款，让我转到对方卡上", "今天下午", "2", "转了2000元"):
        resident.says(answer)
    resident.says("对方电话 17012345678 卡号 6222 0000 0000 0000 004 QQ号 12345678")
    resident.says("http://tuikuan-kefu.top/pay")
    resident.says("好了")
    resident.says("跳过")
    with store.connect(config["storage"]["database"]) as db:
        [case] = cases.cases(db)
    return case


def test_the_queue_lists_new_cases_for_a_viewer(reported, app, operators):
    from tests.console_fixtures import Console

    viewer = Console(app.test_client())
    viewer.login("viewer")
    page = viewer.get("/admin/cases/").get_data(as_text=True)
    assert reported["ref"] in page and "冒充客服退款" in page and "2000.00 元" in page
    assert "导出 CSV" not in page                                # viewers read only
    assert viewer.post(f"/admin/cases/{reported['id']}/status", {"status": "closed"}).status_code == 403


def test_a_case_moves_new_contacted_closed_with_notes(reported, editor, config):
    case_id = reported["id"]
    editor.refresh_token(f"/admin/cases/{case_id}")
    assert editor.post(f"/admin/cases/{case_id}/status", {"status": "contacted"}).status_code == 302
    editor.post(f"/admin/cases/{case_id}/note", {"text": "已电话联系居民，建议到派出所报案"})
    editor.post(f"/admin/cases/{case_id}/status", {"status": "closed"})
    page = editor.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "已电话联系居民" in page and "状态改为“已联系”" in page and "状态改为“已结案”" in page
    assert reported["ref"] not in editor.get("/admin/cases/").get_data(as_text=True)   # not new any more
    assert reported["ref"] in editor.get("/admin/cases/?status=closed").get_data(as_text=True)
    with store.connect(config["storage"]["database"]) as db:
        assert cases.case(db, case_id)["status"] == "closed"
        actions = [row["action"] for row in console.audit_entries(db)]
    assert actions.count("case.status") == 2 and "case.note" in actions


def test_an_unknown_status_is_refused(reported, editor):
    editor.refresh_token(f"/admin/cases/{reported['id']}")
    assert editor.post(f"/admin/cases/{reported['id']}/status", {"status": "lost"}).status_code == 400


def test_the_reports_numbers_go_on_the_blacklist_in_one_step(reported, editor, config, resident):
    case_id = reported["id"]
    page = editor.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    editor.refresh_token(f"/admin/cases/{case_id}")
    items = ["phone|17012345678", "card|6222000000000000004", "account|12345678",
             "url|http://tuikuan-kefu.top/pay"]
    assert all(item in page for item in items)
    editor.post(f"/admin/cases/{case_id}/blacklist", {"item": items})
    with store.connect(config["storage"]["database"]) as db:
        listed = {(row["kind"], row["value"]) for row in console.blacklist_rows(db)}
    assert listed == {tuple(item.split("|", 1)) for item in items}
    assert "已在黑名单" in editor.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "黑名单" in resident.says("查 17012345678")               # residents' checks see it at once


def test_the_csv_export_has_every_case_element(reported, editor):
    response = editor.get("/admin/cases/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["编号"] == reported["ref"] and row["联系方式"] == "短信" and row["是否损失"] == "是"
    assert row["损失金额（元）"] == "2000.0" and row["对方电话"] == "17012345678"
    assert row["对方账号"] == "qq:12345678"


def test_the_campaign_page_shows_the_figures_and_a_chart(reported, admin):
    page = admin.get("/admin/reports/").get_data(as_text=True)
    assert "反诈宣传工作统计" in page and "<svg" in page and "举报登记数" in page
    assert admin.get("/admin/reports/export?format=csv").get_data(as_text=True).count("举报登记数") == 1


def test_the_campaign_page_survives_bad_dates(admin):
    page = admin.get("/admin/reports/?from=2026-12-01&to=2026-01-01").get_data(as_text=True)
    assert "时间段不合理" in page and "<svg" in page


def test_the_awareness_page_shows_overall_and_per_group(config, admin):
    now = now_text()
    with store.connect(config["storage"]["database"]) as db:
        cases.insert_quiz_result(db, "o_a", 5, 5, True, [], now)
        cases.insert_quiz_result(db, "o_b", 1, 5, False, [], now)
        alerts.save_subscription(db, "o_a", True, "城西街道", ["金融从业人员"], now)
        alerts.save_subscription(db, "o_b", True, "城西街道", [], now)
    page = admin.get("/admin/awareness/").get_data(as_text=True)
    assert '<div class="num" id="rate">50.0%</div>' in page
    assert "金融从业人员" in page and "100.0%" in page and "城西街道" in page and "<svg" in page
    assert "50.0% 未达标" in page                               # 城西街道 is below its 70%
