"""Normalization: width, script, separators, case and the disguise table, before any matching."""

from __future__ import annotations

import pytest

from bot.advisor.knowledge import load_directory
from bot.advisor.normalize import DisguiseTable, fold, join_separated, normalize, to_simplified
from bot.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def disguises() -> DisguiseTable:
    table = load_directory(PROJECT_ROOT / "knowledge").disguises
    return DisguiseTable({variant: word for word, variants in table.items() for variant in variants})


@pytest.mark.parametrize("text, expected", [
    ("ＶＸ１２３", "vx123"),
    ("ＱＱ：８８６６", "qq:8866"),
    ("銀行卡涉嫌洗錢", "银行卡涉嫌洗钱"),
    ("轉賬到安全賬戶", "转账到安全账户"),
    ("HELLO", "hello"),
    ("刷\u200b单", "刷单"),
])
def test_fold_width_script_case_and_invisible_characters(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("刷 单 返 利", "刷单返利"),
    ("安-全-账-户", "安全账户"),
    ("验*证*码", "验证码"),
    ("屏.幕.共.享", "屏幕共享"),
    ("加v x", "加vx"),
    ("我没转，他让我转", "我没转，他让我转"),
])
def test_separators_between_characters_are_removed_but_clauses_kept(text: str, expected: str) -> None:
    assert join_separated(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("加我V信", "加我微信"),
    ("加威信详聊", "加微信详聊"),
    ("加 v x", "加微信"),
    ("玩菠菜平台", "玩博彩平台"),
    ("扣扣号123456", "qq号123456"),
    ("加薇", "加微信"),
    ("兼z刷 单", "兼职刷单"),
    ("把yzm发给我", "把验证码发给我"),
    ("vxabc123", "vxabc123"),
])
def test_disguises_map_to_the_plain_word(disguises: DisguiseTable, text: str, expected: str) -> None:
    assert normalize(text, disguises) == expected


def test_latin_disguise_only_as_a_word_of_its_own(disguises: DisguiseTable) -> None:
    assert normalize("http://ok.com/dkx", disguises) == "http://ok.com/dkx"
    assert "贷款" in normalize("急需dk，秒到", disguises)


def test_simplified_text_skips_the_slow_converter() -> None:
    text = "我今天去银行存钱"
    assert to_simplified(text) is text


def test_longest_disguise_wins() -> None:
    table = DisguiseTable({"v信": "微信", "v信号": "微信号"})
    assert table.apply("v信号码") == "微信号码"


def test_a_space_between_phrases_ends_a_clause_but_spaced_characters_are_joined():
    assert normalize("他说别告诉家里人 我已经在转了") == "他说别告诉家里人，我已经在转了"
    assert normalize("内 部 消 息 稳 赚") == "内部消息稳赚"


def test_a_disguise_or_scam_word_with_a_space_inside_is_joined_not_split(disguises: DisguiseTable) -> None:
    assert normalize("我在一个菠 菜网站上输了钱", disguises) == "我在一个博彩网站上输了钱"
    assert normalize("他们在招刷 单的人", disguises) == "他们在招刷单的人"
    assert normalize("带款前交jie冻费", disguises) == "贷款前交解冻费"


def test_voice_style_messages_without_punctuation_are_read_clause_by_clause():
    from bot.advisor import Advisor

    advisor = Advisor(load_directory(PROJECT_ROOT / "knowledge"))
    analysis = advisor.analyze("对方说我涉嫌洗钱 让我别跟家人讲 我现在正在去银行的路上 准备给他转钱")
    assert analysis.is_scam and analysis.urgent
