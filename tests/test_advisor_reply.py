"""The answer: order, red flags from the message, byte limit, one question when unsure, the blacklist."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.advisor import Advisor, Analysis
from bot.advisor.knowledge import KnowledgeBase, entry_to_document, load_directory
from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.textfit import utf8_len


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_directory(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def advisor(knowledge: KnowledgeBase) -> Advisor:
    return Advisor(knowledge)


def positions(reply: str, *parts: str) -> list[int]:
    return [reply.index(part) for part in parts]


def test_scam_reply_follows_the_expert_desk_order(advisor: Advisor, knowledge: KnowledgeBase) -> None:
    analysis = advisor.analyze("淘宝客服说要给我退款，让我提供银行卡号和验证码，还要开屏幕共享")
    reply = analysis.reply
    assert reply.splitlines()[0].startswith("⚠️") and "冒充电商物流客服" in reply.splitlines()[0]
    order = positions(reply, knowledge.text("flags_heading"), knowledge.text("actions_heading"),
                      knowledge.text("avoid_heading"), knowledge.text("hotlines"))
    assert order == sorted(order)
    assert "屏幕共享" in reply


def test_urgent_reply_starts_with_emergency_steps(advisor: Advisor, knowledge: KnowledgeBase) -> None:
    reply = advisor.analyze("我已经把3万转到了对方说的安全账户").reply
    assert reply.startswith(knowledge.text("emergency"))
    assert reply.index("110") < reply.index("⚠️")


def test_red_flags_include_entities_from_the_message(advisor: Advisor) -> None:
    analysis = advisor.analyze("您的积分即将清零，登录 http://10086-jf.top 兑换现金，客服17012345678")
    assert "10086-jf.top" in analysis.reply and "17012345678" in analysis.reply
    assert analysis.entities["urls"][0]["flags"]
    assert any("17012345678" in signal for signal in analysis.signals)


def test_unsure_reply_asks_one_question(advisor: Advisor, knowledge: KnowledgeBase) -> None:
    analysis = advisor.analyze("有人加我微信说是客服")
    assert analysis.risk == "low" and not analysis.is_scam
    assert analysis.reply.count("？") == 1
    assert "110" in analysis.reply


def test_reply_for_a_greeting_is_the_default_text(advisor: Advisor, knowledge: KnowledgeBase) -> None:
    assert advisor.analyze("你好").reply == knowledge.text("default")


@pytest.mark.parametrize("text", [
    "刷单" * 500,
    "警察说我涉嫌洗钱要转安全账户，" + "http://1.2.3.4/x " * 60 + "17012345678 " * 40,
    "",
    "   ",
    "]]><xml>",
])
def test_every_reply_fits_in_2000_bytes(advisor: Advisor, text: str) -> None:
    assert 0 < utf8_len(advisor.analyze(text).reply) <= 2000


def test_long_texts_in_the_knowledge_base_are_trimmed_not_cut(knowledge: KnowledgeBase) -> None:
    documents = [entry_to_document(entry) for entry in knowledge.entries]
    for document in documents:
        document["actions"] = [action * 8 for action in document["actions"]]
        document["avoid"] = [item * 8 for item in document["avoid"]]
    long_advisor = Advisor(KnowledgeBase.from_documents(documents, knowledge.texts, knowledge.disguises))
    reply = long_advisor.analyze("我已经转了5万到安全账户").reply
    assert utf8_len(reply) <= 2000
    assert reply.startswith(knowledge.text("emergency"))


def test_blacklisted_entity_makes_a_scam_and_is_named(knowledge: KnowledgeBase) -> None:
    seen: list[tuple[str, str]] = []

    def blacklist(kind: str, value: str) -> dict | None:
        seen.append((kind, value))
        return {"note": "多名居民举报", "source": "110"} if (kind, value) == ("phone", "13912345678") else None

    analysis = Advisor(knowledge, blacklist=blacklist).analyze("刚才139 1234 5678打电话给我，还发了 www.Example.com/a")
    assert ("phone", "13912345678") in seen
    assert ("url", "http://www.example.com/a") in seen and ("domain", "example.com") in seen
    assert analysis.is_scam and analysis.risk == "high"
    assert analysis.entities["phones"][0]["known_bad"]["note"] == "多名居民举报"
    assert "多名居民举报" in analysis.reply and "139 1234 5678" in analysis.reply
    assert any("黑名单" in signal for signal in analysis.signals)


def test_blacklist_is_asked_about_cards_and_accounts(knowledge: KnowledgeBase) -> None:
    seen: list[tuple[str, str]] = []
    Advisor(knowledge, blacklist=lambda kind, value: seen.append((kind, value))).analyze(
        "转到6222021234567890128，加QQ 123456789")
    assert ("card", "6222021234567890128") in seen and ("account", "123456789") in seen


def test_analysis_json_has_the_documented_fields(advisor: Advisor) -> None:
    data = advisor.analyze("加我vx刷单返利").to_json()
    assert {"is_scam", "category", "risk", "urgent", "signals", "entities", "reply"} <= set(data)
    assert set(data["entities"]) == {"phones", "urls", "cards", "accounts", "amounts"}
    json.dumps(data, ensure_ascii=False)
    assert isinstance(advisor.analyze("x"), Analysis)


def test_cli_check_prints_the_reply() -> None:
    result = CliRunner().invoke(main, ["check", "警察说我涉嫌洗钱，要转到安全账户"])
    assert result.exit_code == 0
    assert "冒充公检法及政府机关" in result.output


def test_cli_check_json_reads_lines_in_order() -> None:
    result = CliRunner().invoke(main, ["check", "--json", "-"], input="你好\n刷单返利靠谱吗\n\n我被骗了转了5000\n")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["is_scam"] for row in rows] == [False, True, False, True]
    assert rows[1]["category"] == "刷单返利" and rows[3]["urgent"]


def test_cli_kb_validate(tmp_path) -> None:
    assert CliRunner().invoke(main, ["kb", "validate"]).exit_code == 0
    (tmp_path / "entries").mkdir()
    (tmp_path / "texts.toml").write_text('welcome = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["kb", "validate", str(tmp_path)])
    assert result.exit_code != 0
    assert "texts.toml" in result.output


def test_advisor_is_pure_python_without_flask_or_wechatpy() -> None:
    import ast

    allowed_bot = ("bot.advisor", "bot.textfit")
    for path in sorted((PROJECT_ROOT / "bot" / "advisor").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in ("flask", "wechatpy", "werkzeug"), (path, name)
                assert not name.startswith("bot") or name.startswith(allowed_bot), (path, name)
