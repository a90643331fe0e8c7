"""Entities: phones, links, cards, ids and amounts, with their normalized values and red flags."""

from __future__ import annotations

import pytest

from bot.advisor.entities import FLAGS, extract, luhn_valid, parse_chinese_number


def values(text: str, kind: str) -> list[str]:
    return [entity.value for entity in getattr(extract(text), kind)]


@pytest.mark.parametrize("text, expected", [
    ("他说先交2w保证金", "20000"),
    ("又要3k手续费", "3000"),
    ("伍仟元解冻费", "5000"),
    ("我一共投了8萬", "80000"),
    ("付款金额：￥3,200.00", "3200"),
    ("转了一千二给客服", "1200"),
    ("三万五已经转过去了", "35000"),
    ("借了1.5万", "15000"),
    ("３万５", "35000"),
    ("一万二千三百元", "12300"),
    ("五千零五十元", "5050"),
    ("我刚才转了5000", "5000"),
    ("¥99.50", "99.50"),
    ("两千块钱", "2000"),
])
def test_amounts_in_any_form(text: str, expected: str) -> None:
    assert values(text, "amounts") == [expected]


@pytest.mark.parametrize("text", ["千万不要相信", "我今年二十五岁", "一下子就没了", "万一是骗子呢"])
def test_words_that_only_look_like_numbers_are_not_amounts(text: str) -> None:
    assert values(text, "amounts") == []


@pytest.mark.parametrize("text, value, flag", [
    ("刚才+00 123 4567 8901打来的", "+0012345678901", "plus00"),
    ("号码是+44 20 7946 0958", "+442079460958", "overseas"),
    ("来电17012345678", "17012345678", "virtual"),
    ("171 2345 6789说是客服", "17123456789", "virtual"),
    ("9558812345说是工行的", "9558812345", "service_lookalike"),
    ("021-95588打来", "02195588", "service_lookalike"),
    ("+95 588 1234", "+955881234", "service_lookalike"),
    ("0755-95338是顺丰吗", "075595338", "service_lookalike"),
    ("955881说是工行", "955881", "service_lookalike"),
])
def test_risky_phone_numbers_are_flagged(text: str, value: str, flag: str) -> None:
    phone = extract(text).phones[0]
    assert phone.value == value
    assert FLAGS[flag] in phone.flags


@pytest.mark.parametrize("text, value", [
    ("0086 138 1234 5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("95588", "95588"),
    ("96110", "96110"),
    ("如有疑问请致电95338", "95338"),  # any five-digit 95xxx number is a national service number
    ("010-12345678", "01012345678"),
])
def test_ordinary_phone_numbers_are_normalized_without_flags(text: str, value: str) -> None:
    phone = extract(text).phones[0]
    assert (phone.value, phone.flags) == (value, [])


@pytest.mark.parametrize("text, flag", [
    ("点击 http://192.168.1.1/login 领取", "ip_link"),
    ("详情 t.cn/A6aBc", "short_link"),
    ("登录www.icbc-vip.top验证", "lookalike"),
    ("请访问 http://gov-cn.xyz/tax 办理退税", "lookalike"),
    ("http://www.g0v-police.com/case", "lookalike"),
    ("下载 http://abc.com/app.apk", "app_download"),
    ("https://download.kefu-help.com/", "app_download"),
])
def test_risky_links_are_flagged(text: str, flag: str) -> None:
    url = extract(text).urls[0]
    prefix = FLAGS[flag].split("{")[0]
    assert any(reason.startswith(prefix) for reason in url.flags)


@pytest.mark.parametrize("text", ["https://www.icbc.com.cn/x", "http://mps.gov.cn", "www.12306.cn",
                                  "https://etax.chinatax.gov.cn"])
def test_official_links_carry_no_flags(text: str) -> None:
    assert extract(text).urls[0].flags == []


def test_link_keeps_case_of_its_path_and_lowercases_its_host() -> None:
    assert values("打开 HTTP://T.CN/A6aBc", "urls") == ["http://t.cn/A6aBc"]


def test_bank_cards_must_pass_luhn() -> None:
    assert values("卡号6222 0212 3456 7890 128", "cards") == ["6222021234567890128"]
    assert values("卡号6222 0212 3456 7890 129", "cards") == []
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


def test_resident_id_numbers_are_not_cards() -> None:
    assert values("身份证110101199003071234", "cards") == []


@pytest.mark.parametrize("text, kind, value", [
    ("加我QQ：123456789", "qq", "123456789"),
    ("扣扣 88886666", "qq", "88886666"),
    ("微信号：abc_12345", "wechat", "abc_12345"),
    ("VX: Zhang2024", "wechat", "zhang2024"),
    ("加V信 kefu_888", "wechat", "kefu_888"),
])
def test_qq_and_wechat_ids(text: str, kind: str, value: str) -> None:
    account = extract(text).accounts[0]
    assert (account.kind, account.value) == (kind, value)


@pytest.mark.parametrize("text, value", [("伍仟", 5000), ("一千二", 1200), ("两百五", 250),
                                         ("十万", 100000), ("一亿", 100000000), ("三十", 30)])
def test_parse_chinese_number(text: str, value: int) -> None:
    assert parse_chinese_number(text) == value


def test_to_json_groups_entities_by_kind() -> None:
    data = extract("转了2w到6222021234567890128，客服电话17012345678").to_json()
    assert set(data) == {"phones", "urls", "cards", "accounts", "amounts"}
    assert data["cards"][0]["value"] == "6222021234567890128"
    assert data["phones"][0]["flags"]
