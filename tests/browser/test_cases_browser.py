"""In headless chromium: a resident reports a case over WeChat; an operator works it in the console.

It lives beside the console's browser tests to share their one chromium session (conftest.py here).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def report_over_wechat(server) -> str:
    for text in ("举报", "冒充客服说要退款，让我转到对方卡上", "今天上午", "1", "转了8000元",
                 "对方电话 17012345678，卡号 6222 0000 0000 0000 004", "好了"):
        server.resident_says(text)
    return server.resident_says("跳过").split("编号：")[1].split()[0]


def test_an_operator_works_a_reported_case(page, live_server):
    ref = report_over_wechat(live_server)
    login(page, live_server)
    page.click("text=举报案件")
    assert ref in page.inner_text("#case-queue")
    screenshot(page, "20-case-queue")
    page.click(f"text={ref}")
    page.click("#btn-blacklist")
    assert "已加入黑名单" in page.inner_text(".flash")
    page.select_option("#case-status", "contacted")
    page.click("#btn-status")
    page.fill("#note-text", "已电话联系，居民已到派出所报案")
    page.click("#btn-note")
    history = page.inner_text("#case-history")
    assert "状态改为“已联系”" in history and "已电话联系" in history and "17012345678" in history
    screenshot(page, "21-case-worked")
    assert "黑名单" in live_server.resident_says("查 17012345678", openid="o_neighbour")


def test_the_campaign_and_awareness_pages_draw_their_charts(page, live_server):
    login(page, live_server)
    page.click("text=宣传统计")
    assert page.locator("#chart-consultations svg").count() == 1
    assert "咨询消息数" in page.inner_text("#figures")
    screenshot(page, "22-campaign-report")
    page.click("text=知晓率")
    assert page.locator("#chart-awareness svg").count() == 1
    screenshot(page, "23-awareness")
