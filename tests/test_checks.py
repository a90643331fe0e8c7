"""Checks of a phone number, a link, a bank card or an id, end to end through the webhook."""

from __future__ import annotations

import pytest

from bot import db as store
from bot.db import console
from bot.dialogue.checks import checkable
from bot.timeutil import now_text

SAFE_WORDING = ("安全", "放心")


@pytest.fixture
def listed(config):
    """Put values on the console's blacklist, as an operator would."""
    def add(kind: str, value: str, note: str = "") -> None:
        with store.connect(config["storage"]["database"]) as db:
            console.upsert_blacklist(db, kind, value, "110", note, now_text(), "tester")
    return add


def test_a_blacklisted_phone_is_named_as_used_by_scammers(resident, listed):
    listed("phone", "13812345678", "冒充公检法")
    reply = resident.says("查 138-1234-5678")
    assert "13812345678" in reply and "已被列入诈骗黑名单" in reply and "冒充公检法" in reply
    assert "不要接听" in reply and "110" in reply


def test_a_blacklisted_card_sent_bare(resident, listed):
    listed("card", "6222000000000000004")
    reply = resident.says("6222 0000 0000 0000 004")
    assert "银行卡号 6222000000000000004" in reply and "黑名单" in reply


def test_a_link_on_a_blacklisted_domain(resident, listed):
    listed("domain", "refund-help.cn")
    reply = resident.says("查一下 https://refund-help.cn/a?id=1")
    assert "黑名单" in reply


def test_a_risky_pattern_is_explained(resident):
    reply = resident.says("http://icbc-vip.top/login 这个是真的吗")
    assert "风险特征" in reply and "仿冒工商银行" in reply
    assert "黑名单" not in reply


def test_a_virtual_number_is_a_risky_pattern(resident):
    reply = resident.says("查17012345678")
    assert "风险特征" in reply and "虚拟运营商" in reply


def test_nothing_known_is_never_called_safe(resident):
    reply = resident.says("13912345678")
    assert "没有查到诈骗记录" in reply and "不等于安全" in reply
    assert not any(word in reply.replace("不等于安全", "") for word in SAFE_WORDING)


def test_a_qq_number_is_looked_up_as_an_account(resident, listed):
    listed("account", "123456789")
    reply = resident.says("查 QQ号 123456789")
    assert "QQ号 123456789" in reply and "黑名单" in reply


def test_the_menu_asks_for_the_number_then_checks_it(resident, listed):
    listed("phone", "13812345678")
    assert "要查的电话号码" in resident.does("CLICK", EventKey="MENU_CHECK")
    assert "黑名单" in resident.says("13812345678")


def test_cha_on_its_own_asks_what_to_check(resident, listed):
    listed("url", "http://fake-etc.cn/login")
    assert "要查的电话号码" in resident.says("查一查")
    assert "黑名单" in resident.says("http://fake-etc.cn/login")


def test_a_wechat_id_is_checked_as_an_account(resident):
    reply = resident.says("查 微信号 scam_helper88")
    assert "微信号 scam_helper88" in reply and "没有查到诈骗记录" in reply


def test_the_menu_check_asks_again_then_lets_go(resident):
    resident.does("CLICK", EventKey="MENU_CHECK")
    assert "没有认出" in resident.says("哪个号")
    reply = resident.says("算了我就想问问怎么防骗")
    assert "没有认出" not in reply and "110" in reply


def test_a_number_with_a_scam_story_gets_the_advisors_answer(resident):
    reply = resident.says("13812345678 说我涉嫌洗钱要转安全账户")
    assert "冒充公检法" in reply and "没有查到诈骗记录" not in reply


def test_an_explicit_cha_is_always_a_check(resident):
    assert "没有查到诈骗记录" in resident.says("查 13812345678 说我涉嫌洗钱")


def test_an_sms_with_a_link_goes_to_the_advisor_not_to_a_check():
    sms = "【顺丰】您的快递丢失，我司将为您办理理赔，请点击 http://sf-lipei.top 填写银行卡信息领取赔偿"
    assert checkable(sms) == []
    assert [e.value for e in checkable("这个号码是骗子吗 13812345678")] == ["13812345678"]
