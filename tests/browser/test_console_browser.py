"""End to end in headless chromium: log in, edit an entry, try it, reach residents, restore, charts."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ADMIN, login, screenshot
from tests.console_fixtures import TEST_ENTRY

pytestmark = pytest.mark.browser
NEW_ACTION = "请先拨打浏览器测试专线核实。"
TRIAL = "有个蓝莓理赔专员说我的快递丢了，要给我三倍赔偿"


def test_login_is_required_and_wrong_passwords_are_refused(page, live_server):
    page.goto(f"{live_server.url}/admin/kb/")
    assert "/admin/login" in page.url
    screenshot(page, "01-login")
    page.fill("#name", ADMIN[0])
    page.fill("#password", "wrong-password")
    page.click("#btn-login")
    assert "用户名或密码不正确" in page.inner_text(".error")
    page.fill("#password", ADMIN[1])
    page.click("#btn-login")
    page.wait_for_url(re.compile(r".*/admin/kb/$"))


def test_edit_try_save_reach_residents_and_restore(page, live_server):
    login(page, live_server)
    assert NEW_ACTION not in live_server.resident_says(TRIAL)

    page.goto(f"{live_server.url}/admin/kb/?q=蓝莓")
    screenshot(page, "03-kb-list")
    page.click(f"text={TEST_ENTRY['title']}")
    page.fill("#f-actions", NEW_ACTION)
    page.fill("#try-text", TRIAL)
    page.click("#btn-try")
    draft = page.inner_text("#try-reply")
    assert NEW_ACTION in draft
    assert "蓝莓理赔专员" in page.inner_text(".signals")
    screenshot(page, "04-entry-try-draft")
    assert NEW_ACTION not in live_server.resident_says(TRIAL), "a draft must not reach residents"

    page.click("#btn-save")
    assert "已保存" in page.inner_text(".flash")
    assert NEW_ACTION in page.inner_text("#try-reply"), "try it against live after saving"
    screenshot(page, "05-entry-saved")
    assert NEW_ACTION in live_server.resident_says(TRIAL)

    page.click("text=历史版本")
    assert NEW_ACTION in page.inner_text(".diff .add")
    screenshot(page, "06-revisions")
    page.click("#restore-1")
    assert "已恢复到第 1 版" in page.inner_text(".flash")
    assert page.input_value("#f-actions") == TEST_ENTRY["actions"][0]
    assert NEW_ACTION not in live_server.resident_says(TRIAL)


def test_try_it_against_live(page, live_server):
    login(page, live_server)
    page.click("nav >> text=试一试")
    page.fill("#try-text", TRIAL)
    page.click("#btn-try-live")
    assert f"匹配条目：{TEST_ENTRY['id']}" in page.inner_text("#try-result")
    assert page.inner_text("#try-reply") == live_server.resident_says(TRIAL)
    screenshot(page, "07-try-live")


def test_dashboard_draws_its_charts(page, live_server):
    login(page, live_server)
    for chart in ("messages", "categories", "rising", "unrecognised", "urgent"):
        svg = page.locator(f"#chart-{chart} svg")
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 60, chart
    assert page.locator("#chart-messages .bar").count() >= 14
    assert page.locator("#chart-categories .bar").count() > 10
    assert page.locator("#chart-unrecognised .point").count() >= 14
    assert "刷单返利" in page.inner_text("#chart-categories .legend")
    screenshot(page, "02-dashboard")


def test_inbox_blacklist_and_audit_pages(page, live_server):
    login(page, live_server)
    live_server.resident_says("这是一条<b>奇怪</b>的消息")
    page.goto(f"{live_server.url}/admin/inbox/?view=unrecognised")
    assert "这是一条<b>奇怪</b>的消息" in page.inner_text("table")
    screenshot(page, "08-inbox")
    page.click("text=这是一条<b>奇怪</b>的消息")
    screenshot(page, "09-inbox-message")

    page.goto(f"{live_server.url}/admin/blacklist/")
    page.select_option("#b-kind", "phone")
    page.fill("#b-value", "165 0000 9999")
    page.fill("#b-source", "刑侦通报")
    page.click("#btn-blacklist-add")
    assert "16500009999" in page.inner_text("#blacklist")
    screenshot(page, "10-blacklist")
    assert "刑侦通报" in live_server.resident_says("16500009999 打电话给我")

    page.goto(f"{live_server.url}/admin/audit/")
    assert "blacklist.add" in page.inner_text("table")
    screenshot(page, "11-audit")


def test_console_works_on_a_phone(phone, live_server):
    login(phone, live_server)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the dashboard scrolls sideways on a phone ({width}px)"
    screenshot(phone, "12-phone-dashboard")
    phone.goto(f"{live_server.url}/admin/kb/entry/{TEST_ENTRY['id']}")
    screenshot(phone, "13-phone-entry")
