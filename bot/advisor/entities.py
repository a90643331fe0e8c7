"""Entities in a message: phones, links, bank cards, QQ/WeChat ids and amounts, each with its red flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from bot.advisor.normalize import fold

# Resident-readable reasons, kept short: they are shown next to the number or link they describe.
FLAGS = {
    "plus00": "“+00”开头的号码是改号软件伪造的，多为境外诈骗来电",
    "overseas": "境外号码（国际区号开头），陌生境外来电要格外警惕",
    "virtual": "170/171等虚拟运营商号段，常被诈骗分子使用",
    "service_lookalike": "冒充银行或官方客服号：真正的95/96客服号只有5位，前面不带区号或“+”",
    "ip_link": "网址是一串数字（IP地址），正规机构不会发这样的链接",
    "short_link": "短链接，看不到真实网址，不要点开",
    "lookalike": "仿冒{brand}的网址，不是官方网站",
    "app_download": "App下载链接：不要安装来历不明的App",
    "odd_domain": "不常见的网址后缀，正规银行和政府网站不会用",
    "card": "银行卡号：不要向陌生人提供的账户转账",
    "qq": "陌生人的QQ号：要求换到QQ上私聊是常见套路",
    "wechat": "陌生人的微信号：要求加微信私聊是常见套路",
    "known_bad": "已被列入诈骗黑名单",
}

SHORTENERS = {
    "t.cn", "url.cn", "dwz.cn", "suo.im", "suo.nz", "bit.ly", "tinyurl.com", "goo.gl", "is.gd",
    "ow.ly", "t.co", "0x3.me", "u.nu", "rebrand.ly", "cutt.ly", "s.id", "w.url.cn", "3.cn",
    "mrw.so", "sohu.gg", "qr.net", "c.tb.cn", "m.tb.cn", "dwz.mk", "tb.cn", "v.gd", "kurl.ru",
}
# Brand fragments that scammers imitate, and the domains that really belong to them.
BRANDS = {
    "icbc": ("工商银行", ("icbc.com.cn", "icbc.com")),
    "ccb": ("建设银行", ("ccb.com", "ccb.cn")),
    "bankofchina": ("中国银行", ("boc.cn", "bankofchina.com")),
    "abchina": ("农业银行", ("abchina.com", "abchina.com.cn")),
    "bankcomm": ("交通银行", ("bankcomm.com", "bankcomm.cn")),
    "cmbchina": ("招商银行", ("cmbchina.com", "cmbchina.cn")),
    "psbc": ("邮储银行", ("psbc.com",)),
    "95588": ("工商银行", ()), "95533": ("建设银行", ()), "95599": ("农业银行", ()),
    "95566": ("中国银行", ()), "95555": ("招商银行", ()), "95580": ("邮储银行", ()),
    "gov": ("政府", ()), "police": ("公安", ()), "gongan": ("公安", ()), "gaj": ("公安", ()),
    "mps": ("公安部", ()), "court": ("法院", ("court.gov.cn",)), "chinatax": ("税务局", ()),
    "shuiwu": ("税务局", ()), "shebao": ("社保", ()), "12333": ("社保", ()), "yibao": ("医保", ()),
    "12306": ("铁路12306", ("12306.cn",)), "12123": ("交管12123", ("122.gov.cn",)),
    "10086": ("中国移动", ("10086.cn", "chinamobile.com")), "chinamobile": ("中国移动", ("chinamobile.com", "10086.cn")),
    "10010": ("中国联通", ("10010.com", "chinaunicom.cn")), "chinaunicom": ("中国联通", ("chinaunicom.cn", "10010.com")),
    "taobao": ("淘宝", ("taobao.com", "tb.cn")), "alipay": ("支付宝", ("alipay.com", "alipay.cn")),
    "zhifubao": ("支付宝", ()), "pinduoduo": ("拼多多", ("pinduoduo.com", "yangkeduo.com")),
    "weixin": ("微信", ("weixin.qq.com", "qq.com")), "wechat": ("微信", ("wechat.com", "qq.com")),
    "ceair": ("东方航空", ("ceair.com",)), "airchina": ("国航", ("airchina.com.cn", "airchina.com")),
    "csair": ("南方航空", ("csair.com",)), "ctrip": ("携程", ("ctrip.com", "trip.com")),
}
SERVICE_NUMBERS = {
    "95588", "95533", "95599", "95566", "95559", "95555", "95558", "95528", "95595", "95568",
    "95580", "95561", "95577", "95501", "95508", "95511", "95519", "95500", "95518", "95017",
    "95188", "95118", "95105", "95530", "96110",
}
ODD_TLDS = {"top", "xyz", "vip", "icu", "pw", "tk", "ml", "ga", "cf", "gq", "club", "shop", "site",
            "online", "fun", "ink", "wang", "work", "live", "buzz", "cyou", "sbs", "cfd", "bond"}
_TLDS = ("com|cn|net|org|top|xyz|vip|cc|me|io|info|club|shop|site|online|app|ly|gl|im|tk|ml|ga|cf|gq|icu"
         "|pw|ws|hk|tw|co|biz|live|fun|ink|wang|work|link|to|gd|so|gg|ru|id|nu|mk|buzz|cyou|sbs|cfd|bond")

_URL_CHARS = r"[a-z0-9\-._~:/?#@!$&*+,;=%]"
_URL = re.compile(
    rf"(?:(?:https?|itms-services)://{_URL_CHARS}+"
    rf"|(?<![a-z0-9@.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?::\d{{2,5}})?(?:/{_URL_CHARS}*)?"
    rf"|(?<![a-z0-9@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})(?![a-z0-9-])(?::\d{{2,5}})?"
    rf"(?:[/?#]{_URL_CHARS}*)?)", re.IGNORECASE)
_CARD = re.compile(r"(?<![\d.])\d(?:[ -]?\d){15,18}(?![\d.])")
_PHONE = re.compile(
    r"(?P<intl>(?<![\d+])(?:\+|00)\s?(?P<cc>\d{1,3})[\s-]?(?P<rest>\d(?:[\s-]?\d){3,13}))(?!\d)"
    r"|(?P<mobile>(?<![\d+])(?:86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8})(?!\d)"
    r"|(?P<service>(?<![\d+])(?:0\d{2,3}[\s-]?)?9[56]\d{3,9})(?!\d)"
    r"|(?P<landline>(?<![\d+])0\d{2,3}[\s-]?\d{7,8})(?!\d)"
    r"|(?P<hotline>(?<![\d+])(?:400|800)[\s-]?\d{3}[\s-]?\d{4})(?!\d)")
# Every phone number starts with "+" or a digit: checked first, as for amounts below.
_PHONE = re.compile(rf"(?=[+\d])(?:{_PHONE.pattern})")
_QQ = re.compile(r"(?:qq|扣扣|企鹅)\s*(?:号码|号)?\s*(?:是|为)?\s*[:：]?\s*([1-9]\d{4,10})(?!\d)")
_WECHAT = re.compile(
    r"(?:微信|v信|威信|薇信|徽信|vx|wx|weixin|wechat)\s*(?:号码|号|id)?\s*(?:是|为)?\s*[:：]?\s*"
    r"([a-z][-_a-z0-9]{5,19})(?![-_a-z0-9])")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4,
              "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9,
              "玖": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_SECTIONS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_SECTIONS)
_AMOUNT = re.compile(
    r"(?P<cur>[¥$]|rmb|人民币)\s?(?P<cur_num>\d[\d,]*(?:\.\d+)?)"
    r"|(?P<num>\d[\d,]*(?:\.\d+)?)\s?(?P<unit>万元|千元|百元|元|块钱|块|圆|w|k|万|千)(?P<tail>\d)?(?![a-z])"
    # A lone Chinese digit is money only with a unit ("五块"); "一个", "两人" are not tried at all.
    rf"|(?P<cn>(?:[{''.join(_CN_DIGITS)}十拾][{_CN_CHARS}]+|[{''.join(_CN_DIGITS)}](?=\s?(?:元|块|圆))))"
    r"\s?(?P<cn_unit>元|块|圆)?"
    r"|(?:转|汇|付|交|充|打|借|投|赔|亏|骗|损失)(?:了|过去|走了|款|值了)?\s?(?P<bare>\d{3,}(?:\.\d+)?)(?![\d.])")
# Every amount starts with one of these characters: checking it first spares trying each
# alternative (and its lookbehinds) at every other position of the message.
_AMOUNT = re.compile(rf"(?=[¥$r人\d{''.join(_CN_DIGITS)}十拾转汇付交充打借投赔亏骗损])(?:{_AMOUNT.pattern})")
_ANY_DIGIT = re.compile(r"\d")
_ACCOUNT_WORDS = re.compile(r"qq|扣扣|企鹅|微信|v信|威信|薇信|徽信|vx|wx|weixin|wechat")
_UNIT_FACTORS = {"万元": 10_000, "万": 10_000, "w": 10_000, "千元": 1000, "千": 1000, "k": 1000,
                 "百元": 100, "元": 1, "块钱": 1, "块": 1, "圆": 1}


@dataclass
class Entity:
    """One thing found in a message, by kind, with its normalized value and resident-readable flags."""

    kind: str
    value: str
    raw: str
    flags: list[str] = field(default_factory=list)
    known_bad: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "raw": self.raw, "flags": list(self.flags),
                "known_bad": dict(self.known_bad) if self.known_bad is not None else None}


@dataclass
class Entities:
    phones: list[Entity] = field(default_factory=list)
    urls: list[Entity] = field(default_factory=list)
    cards: list[Entity] = field(default_factory=list)
    accounts: list[Entity] = field(default_factory=list)
    amounts: list[Entity] = field(default_factory=list)

    def all(self) -> Iterator[Entity]:
        yield from (*self.phones, *self.urls, *self.cards, *self.accounts, *self.amounts)

    def flagged(self) -> list[Entity]:
        return [entity for entity in self.all() if entity.flags]

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {name: [entity.to_json() for entity in getattr(self, name)]
                for name in ("phones", "urls", "cards", "accounts", "amounts")}


def extract(text: str) -> Entities:
    """Find every entity in text (any width, any script); each carries its normalized value and flags."""
    return extract_folded(fold(text, casefold=False))


def extract_folded(folded: str) -> Entities:
    """extract() for text fold(casefold=False) has already seen; cheap checks skip absent kinds."""
    found = Entities()
    rest = folded
    if "." in folded or "://" in folded:
        found.urls = _unique(_urls(folded))
        rest = _mask(folded, _URL) if found.urls else folded
    cased, rest = rest, rest.lower()
    if len(cased) != len(rest):  # lowercasing changed the length: spans no longer line up
        cased = rest
    if _ANY_DIGIT.search(rest):
        found.cards = _unique(_cards(rest))
        if found.cards:
            rest = _mask(rest, _CARD, keep=lambda raw: _digits(raw) not in {c.value for c in found.cards})
        found.phones = _unique(_phones(rest))
        if _ACCOUNT_WORDS.search(rest):
            found.accounts = _unique([*_qq_ids(rest, cased), *_wechat_ids(rest, cased)])
        if found.phones:
            rest = _mask(rest, _PHONE)
    elif _ACCOUNT_WORDS.search(rest):
        found.accounts = _unique(_wechat_ids(rest, cased))
    found.amounts = _amounts(rest)
    return found


def _unique(entities: list[Entity]) -> list[Entity]:
    seen: dict[tuple[str, str], Entity] = {}
    for entity in entities:
        seen.setdefault((entity.kind, entity.value), entity)
    return list(seen.values())


def _mask(text: str, pattern: re.Pattern[str], keep=None) -> str:
    """Blank out matches (same length, so nothing else merges across them)."""
    def blank(match: re.Match[str]) -> str:
        if keep is not None and keep(match.group(0)):
            return match.group(0)
        return " " * len(match.group(0))
    return pattern.sub(blank, text)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- links -----------------------------------------------------------------------------------

def _urls(text: str) -> list[Entity]:
    entities = []
    for match in _URL.finditer(text):
        raw = match.group(0).rstrip(".,;:!?")
        url, host = normalize_url(raw)
        entities.append(Entity("url", url, raw, url_flags(url, host)))
    return entities


def normalize_url(raw: str) -> tuple[str, str]:
    """A URL with a scheme and a lowercased host, and its host without "www."."""
    url = raw if "://" in raw else "http://" + raw
    scheme, _, rest = url.partition("://")
    host_port, slash, path = rest.partition("/")
    host = host_port.split("@")[-1].split(":")[0].lower().strip(".")
    url = f"{scheme.lower()}://{host_port.lower()}{slash}{path}"
    return url.rstrip("/"), host.removeprefix("www.")


def url_flags(url: str, host: str) -> list[str]:
    """The reasons a link looks dangerous."""
    flags = []
    if re.fullmatch(r"(?:\d{1,3}\.){3}\d{1,3}", host):
        flags.append(FLAGS["ip_link"])
    if host in SHORTENERS:
        flags.append(FLAGS["short_link"])
    brand = lookalike_brand(host)
    if brand:
        flags.append(FLAGS["lookalike"].format(brand=brand))
    path = url.split("://", 1)[-1].partition("/")[2].lower()
    if (url.startswith("itms-services") or re.search(r"\.(?:apk|ipa)(?:$|[?#])", path)
            or re.search(r"(?:^|[./-])(?:download|xiazai|apk|app|dl)(?:$|[./-])", host)
            or re.search(r"(?:^|/)(?:download|xiazai|dl)(?:$|[/.?])", path)):
        flags.append(FLAGS["app_download"])
    if host.rsplit(".", 1)[-1] in ODD_TLDS and not brand:
        flags.append(FLAGS["odd_domain"])
    return flags


def _homoglyph(text: str) -> str:
    return text.replace("rn", "m").replace("vv", "w").translate(str.maketrans("01i", "oll"))


def lookalike_brand(host: str) -> str | None:
    """The imitated institution when host borrows a bank, police or government name but is not theirs."""
    if host.endswith(".gov.cn") or host == "gov.cn":
        return None
    plain = _homoglyph(host)
    for fragment, (name, official) in BRANDS.items():
        if _homoglyph(fragment) in plain:
            if any(host == domain or host.endswith("." + domain) for domain in official):
                return None
            return name
    return None


# --- bank cards and phones ---------------------------------------------------------------------

def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _looks_like_id_number(digits: str) -> bool:
    """A resident ID number (18 digits, a birth date inside) is not a bank card."""
    return len(digits) == 18 and re.fullmatch(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{4}",
                                              digits) is not None


def _cards(text: str) -> list[Entity]:
    entities = []
    for match in _CARD.finditer(text):
        digits = _digits(match.group(0))
        if luhn_valid(digits) and not _looks_like_id_number(digits):
            entities.append(Entity("card", digits, match.group(0).strip(), [FLAGS["card"]]))
    return entities


def _phones(text: str) -> list[Entity]:
    entities = []
    for match in _PHONE.finditer(text):
        raw = match.group(0).strip()
        if match.group("intl"):
            entities.append(_international(match.group("cc"), _digits(match.group("rest")), raw))
        elif match.group("mobile"):
            number = _digits(raw)[-11:]
            flags = [FLAGS["virtual"]] if number[:3] in {"170", "171", "162", "165", "167"} else []
            entities.append(Entity("phone", number, raw, flags))
        elif match.group("service"):
            number = _digits(raw)
            flags = [FLAGS["service_lookalike"]] if _service_lookalike(number) else []
            entities.append(Entity("phone", number, raw, flags))
        else:
            entities.append(Entity("phone", _digits(raw), raw, []))
    return entities


def _service_lookalike(number: str) -> bool:
    """95xxx/96xxx service numbers are five digits, dialled without an area code: an area code in front
    or digits added ("9558812345") make an imitation; any other five-digit one is a national service
    number (95338 for a parcel company, 95583 for an airline)."""
    return number not in SERVICE_NUMBERS and (number[0] == "0" or len(number) != 5)


def _international(country: str, rest: str, raw: str) -> Entity:
    """+86 numbers are domestic; +00 is forged; any other code is overseas (+95 also imitates 95xxx)."""
    if country == "86" or (country.startswith("86") and rest):
        number = (country[2:] + rest) if country != "86" else rest
        flags = [FLAGS["virtual"]] if number[:3] in {"170", "171", "162", "165", "167"} else []
        return Entity("phone", number, raw, flags)
    flags = [FLAGS["plus00"]] if country.startswith("0") or raw.startswith(("+00", "+ 00", "0000")) \
        else [FLAGS["overseas"]]
    if any((country + rest).startswith(number) for number in SERVICE_NUMBERS):
        flags.append(FLAGS["service_lookalike"])
    return Entity("phone", "+" + country + rest, raw, flags)


# --- accounts ------------------------------------------------------------------------------------

def _qq_ids(text: str, cased: str) -> list[Entity]:
    return [Entity("qq", match.group(1), cased[match.start():match.end()].strip(), [FLAGS["qq"]])
            for match in _QQ.finditer(text)]


def _wechat_ids(text: str, cased: str) -> list[Entity]:
    return [Entity("wechat", match.group(1), cased[match.start():match.end()].strip(), [FLAGS["wechat"]])
            for match in _WECHAT.finditer(text)]


# --- amounts -------------------------------------------------------------------------------------

def _amounts(text: str) -> list[Entity]:
    entities = []
    for match in _AMOUNT.finditer(text):
        value = _amount_value(match)
        if value is not None and value > 0:
            entities.append(Entity("amount", _format_amount(value), match.group(0).strip(), []))
    return entities


def _amount_value(match: re.Match[str]) -> float | None:
    if match.group("cur"):
        return float(match.group("cur_num").replace(",", ""))
    if match.group("num"):
        number = float(match.group("num").replace(",", ""))
        factor = _UNIT_FACTORS[match.group("unit")]
        tail = int(match.group("tail")) * factor / 10 if match.group("tail") and factor >= 1000 else 0
        if match.group("tail") and factor < 1000:
            return None
        return number * factor + tail
    if match.group("cn"):
        chinese = match.group("cn")
        if len(chinese) == 1 and not match.group("cn_unit"):
            return None
        if not match.group("cn_unit") and not any(char in chinese for char in (*_CN_UNITS, *_CN_SECTIONS)):
            return None
        value = parse_chinese_number(chinese)
        # Without 元/块 a small Chinese number is more likely an age or a count than money.
        return value if match.group("cn_unit") or (value or 0) >= 100 else None
    if match.group("bare"):
        return float(match.group("bare"))
    return None


def parse_chinese_number(text: str) -> float | None:
    """Chinese numerals, financial forms and the spoken tail: 伍仟 → 5000, 一千二 → 1200, 三万五 → 35000."""
    if len(text) >= 2 and text[-1] in _CN_DIGITS and text[-1] not in "零〇":
        unit = _CN_UNITS.get(text[-2]) or _CN_SECTIONS.get(text[-2])
        if unit and unit >= 100:
            head = _parse_regular(text[:-1])
            return None if head is None else head + _CN_DIGITS[text[-1]] * unit / 10
    return _parse_regular(text)


def _parse_regular(text: str) -> float | None:
    """Positional Chinese numerals with 十/百/千 inside 万/亿 sections."""
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        elif char in _CN_SECTIONS:
            section += digit or 0
            total += (section or 1) * _CN_SECTIONS[char]
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def _format_amount(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"
