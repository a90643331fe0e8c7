"""The inbox, the blacklist and the dashboard."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest

from bot import db as store
from bot.admin import charts
from bot.admin.blacklist import BlacklistError, normalize_value, parse_csv
from bot.admin.dashboard import dashboard_context, rising_categories
from bot.db import console as console_db
from bot.db import core
from bot.db import knowledge as kb_db
from bot.timeutil import to_db
from tests.console_fixtures import TEST_ENTRY, console_config

NOW = datetime(2026, 3, 18, 4, 0, tzinfo=timezone.utc)  # 12:00 in Beijing


@pytest.fixture
def config(tmp_path):
    return console_config(tmp_path)


@pytest.fixture
def db(app, config):
    connection = store.connect(config["storage"]["database"])
    yield connection
    connection.conn.close()


def add_message(db, text: str, when: datetime, verdict: dict | None = None, openid: str = "o_1") -> int:
    """A stored resident message with its reply, as the webhook leaves it."""
    message_id, _ = core.claim_message(db, f"k{when.timestamp()}{text}", {
        "openid": openid, "msg_type": "text", "content": text, "received_at": to_db(when)})
    verdict = verdict or {"is_scam": False, "category": None, "risk": "none", "urgent": False, "signals": []}
    core.record_reply(db, message_id, {"type": "text", "content": f"回复：{text}"}, verdict, 5.0, to_db(when))
    return message_id


def scam(category: str, urgent: bool = False) -> dict:
    return {"is_scam": True, "category": category, "risk": "high", "urgent": urgent, "signals": ["词"]}


# --- inbox --------------------------------------------------------------------------------

def test_inbox_lists_recent_conversations_escaped(viewer, db):
    add_message(db, "<script>alert(1)</script>有人让我刷单", NOW)
    page = viewer.get("/admin/inbox/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有人让我刷单" in page and "<script>alert" not in page


def test_unrecognised_view_shows_only_what_the_advisor_missed(viewer, db):
    add_message(db, "今天天气真不错的奇怪消息", NOW)
    add_message(db, "刷单被骗了", NOW, scam("刷单返利"))
    unsure = add_message(db, "有点拿不准的消息", NOW, {"is_scam": False, "risk": "low", "urgent": False})
    page = viewer.get("/admin/inbox/?view=unrecognised").get_data(as_text=True)
    assert "奇怪消息" in page and "拿不准" in page and "刷单被骗了" not in page
    assert unsure in [m["id"] for m in console_db.recent_messages(db, unrecognised=True)]


def test_conversations_view_shows_one_row_per_resident(viewer, db):
    add_message(db, "甲的第一句", NOW - timedelta(minutes=3), openid="o_a")
    add_message(db, "乙的话", NOW - timedelta(minutes=2), openid="o_b")
    add_message(db, "甲的第二句", NOW, openid="o_a")
    rows = console_db.recent_conversations(db)
    assert [(r["openid"], r["content"], r["message_count"]) for r in rows] == [("o_a", "甲的第二句", 2),
                                                                              ("o_b", "乙的话", 1)]
    page = viewer.get("/admin/inbox/?view=conversations").get_data(as_text=True)
    assert "甲的第二句" in page and "甲的第一句" not in page


def test_flow_messages_are_not_counted_as_unrecognised(db):
    add_message(db, "B", NOW, {"quiz_score": 3, "quiz_total": 5})
    add_message(db, "没认出来的话", NOW)
    assert [m["content"] for m in console_db.recent_messages(db, unrecognised=True)] == ["没认出来的话"]


def test_message_page_shows_the_conversation_and_reply(viewer, db):
    first = add_message(db, "第一句话", NOW - timedelta(minutes=5))
    second = add_message(db, "第二句话", NOW)
    page = viewer.get(f"/admin/inbox/{second}").get_data(as_text=True)
    assert "第一句话" in page and "回复：第二句话" in page
    assert "加为信号" not in page and first


def test_one_step_turns_a_message_into_a_signal(editor, db, resident):
    message_id = add_message(db, "有个紫薯客服说要给我退款", NOW)
    response = editor.post(f"/admin/inbox/{message_id}/signal", {
        "entry_id": TEST_ENTRY["id"], "words": "紫薯客服", "weight": "5", "note": "冒充客服"})
    assert response.status_code == 302
    assert "try_text=" in response.headers["Location"]
    signals = kb_db.entry(db, TEST_ENTRY["id"])["document"]["signals"]
    assert signals[-1] == {"words": ["紫薯客服"], "weight": 5, "note": "冒充客服"}
    assert console_db.audit_entries(db)[0]["action"] == "kb.entry.signal"
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "线上版本的回答" in page and f"匹配条目：{TEST_ENTRY['id']}" in page
    assert TEST_ENTRY["title"] in resident.says("紫薯客服加我了")


@pytest.mark.parametrize("form,message", [
    ({"entry_id": "", "words": "词", "weight": "3"}, "请选择"),
    ({"entry_id": TEST_ENTRY["id"], "words": " ", "weight": "3"}, "请填写信号词语"),
    ({"entry_id": TEST_ENTRY["id"], "words": "词", "weight": "很多"}, "权重必须是数字"),
    ({"entry_id": TEST_ENTRY["id"], "words": "词", "weight": "0"}, "不为 0"),
])
def test_signal_form_explains_what_is_wrong(editor, db, form, message):
    message_id = add_message(db, "一条消息", NOW)
    response = editor.post(f"/admin/inbox/{message_id}/signal", form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


# --- blacklist ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind,raw,value", [
    ("phone", "165 0000 1234", "16500001234"),
    ("phone", "+86 165-0000-1234", "16500001234"),
    ("url", "HTTPS://Pay-Refund.example/Path/", "https://pay-refund.example/Path"),
    ("domain", "https://www.Pay-Refund.example/x", "pay-refund.example"),
    ("domain", "ｐａｙ.example", "pay.example"),
    ("card", "6222 0212 3456 7890 128", "6222021234567890128"),
    ("account", " WXid_Scam01 ", "wxid_scam01"),
])
def test_values_are_normalized_like_the_advisor_does(kind, raw, value):
    assert normalize_value(kind, raw) == value


@pytest.mark.parametrize("kind,raw", [("card", "12ab"), ("phone", "call me"), ("phone", ""), ("fax", "1")])
def test_bad_values_are_refused(kind, raw):
    with pytest.raises(BlacklistError):
        normalize_value(kind, raw)


def test_blacklisted_number_is_flagged_to_residents(editor, db, resident):
    response = editor.post("/admin/blacklist/", {"kind": "phone", "value": "165-0000-1234",
                                                 "source": "刑侦通报", "note": "冒充客服"})
    assert response.status_code == 302
    assert console_db.blacklist_find(db, "phone", "16500001234")["source"] == "刑侦通报"
    assert console_db.audit_entries(db)[0]["action"] == "blacklist.add"
    reply = resident.says("16500001234 给我打电话说是快递")
    assert "冒充客服" in reply or "黑名单" in reply


def test_blacklist_csv_import_and_export(editor, db):
    data = "kind,value,source,note\nphone,+86 165 0000 1234,通报,客服\ndomain,www.bad.example,举报,\n"
    response = editor.post("/admin/blacklist/import", {"file": (io.BytesIO(data.encode()), "list.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert {(r["kind"], r["value"]) for r in console_db.blacklist_rows(db)} == {
        ("phone", "16500001234"), ("domain", "bad.example")}
    exported = editor.get("/admin/blacklist/export.csv").get_data(as_text=True)
    assert exported.lstrip("\ufeff").splitlines()[0] == "kind,value,source,note"
    assert "bad.example,举报" in exported


def test_csv_import_names_the_bad_line_and_changes_nothing(editor, db):
    with pytest.raises(BlacklistError, match="第 3 行"):
        parse_csv("kind,value\nphone,16500001234\ncard,abc\n".encode())
    editor.post("/admin/blacklist/import", {"file": (io.BytesIO(b"kind,value\ncard,abc\n"), "x.csv")},
                content_type="multipart/form-data")
    assert console_db.blacklist_rows(db) == []


def test_exported_csv_cannot_run_as_a_formula(editor, db):
    console_db.upsert_blacklist(db, "account", "=cmd()", "x", "=1+1", "2026-01-01 00:00:00", "t")
    exported = editor.get("/admin/blacklist/export.csv").get_data(as_text=True)
    assert "'=cmd()" in exported and "'=1+1" in exported


def test_viewer_cannot_change_the_blacklist(viewer):
    assert viewer.post("/admin/blacklist/", {"kind": "phone", "value": "16500001234"}).status_code == 403


def test_removing_a_value_is_audited(editor, db):
    editor.post("/admin/blacklist/", {"kind": "domain", "value": "bad.example"})
    row_id = console_db.blacklist_find(db, "domain", "bad.example")["id"]
    editor.post(f"/admin/blacklist/{row_id}/delete")
    assert console_db.blacklist_rows(db) == []
    assert console_db.audit_entries(db)[0]["before"]["value"] == "bad.example"


# --- dashboard ----------------------------------------------------------------------------

def test_dashboard_counts_and_charts(db):
    for day in range(10):
        add_message(db, f"消息{day}", NOW - timedelta(days=day))
    add_message(db, "刷单", NOW - timedelta(days=1), scam("刷单返利"))
    add_message(db, "刷单2", NOW - timedelta(days=2), scam("刷单返利", urgent=True))
    add_message(db, "投资", NOW - timedelta(days=9), scam("虚假网络投资理财"))
    context = dashboard_context(db, NOW)
    assert context["totals"]["messages"] == 13
    assert context["totals"]["scams"] == 3 and context["totals"]["urgent"] == 1
    assert context["totals"]["unrecognised_rate"] == pytest.approx(10 / 13)
    assert context["messages_chart"].count('class="bar"') == 10
    assert "刷单返利" in context["categories_chart"]["svg"]
    assert [name for name, _ in context["categories_chart"]["legend"]] == ["刷单返利", "虚假网络投资理财"]


def test_rising_categories_compare_this_week_with_last(db):
    add_message(db, "a", NOW - timedelta(days=1), scam("刷单返利"))
    add_message(db, "b", NOW - timedelta(days=2), scam("刷单返利"))
    add_message(db, "c", NOW - timedelta(days=9), scam("虚假网络投资理财"))
    add_message(db, "d", NOW - timedelta(days=10), scam("虚假网络投资理财"))
    rows = rising_categories(db, NOW.date())
    assert rows[0] == ("刷单返利", 2, 0) and rows[-1] == ("虚假网络投资理财", 0, 2)


def test_days_are_counted_in_beijing_time(db):
    add_message(db, "深夜", datetime(2026, 3, 17, 17, 0, tzinfo=timezone.utc))  # 01:00 on the 18th
    rows = console_db.messages_per_day(db, "2026-03-01 00:00:00")
    assert [row["day"] for row in rows] == ["2026-03-18"]


def test_dashboard_page_draws_svg_charts(viewer, db):
    add_message(db, "刷单", datetime.now(timezone.utc), scam("刷单返利", urgent=True))
    page = viewer.get("/admin/").get_data(as_text=True)
    assert page.count("<svg") == 5
    for chart in ("chart-messages", "chart-categories", "chart-rising", "chart-unrecognised", "chart-urgent"):
        assert f'id="{chart}"' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_chart_labels_are_escaped():
    svg = charts.stacked_bars(["<b>"], {"<script>": [1]}, "<t>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg


@pytest.mark.parametrize("value,expected", [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (480, 500)])
def test_axis_maximum_is_round(value, expected):
    assert charts.nice_max(value) == expected


@pytest.mark.parametrize("kind,typed,message,entities", [
    ("phone", "+86 165-0000-4321", "刚才16500004321打来电话", "phones"),
    ("url", "HTTP://Refund-Help.example/Claim", "点这个 http://refund-help.example/Claim 领取", "urls"),
    ("domain", "www.refund-help.example", "打开 https://refund-help.example/x/y", "urls"),
    ("card", "4111-1111-1111-1111", "让我转到 4111 1111 1111 1111 这张卡", "cards"),
    ("account", "Scam_Boss01", "对方让我加微信 scam_boss01", "accounts"),
    ("account", "123456789", "加他QQ 123456789 聊", "accounts"),
])
def test_values_typed_by_operators_match_what_residents_write(editor, db, kind, typed, message, entities):
    """The console's normalization and the advisor's entity values must agree, kind by kind."""
    assert editor.post("/admin/blacklist/", {"kind": kind, "value": typed, "source": "测试"}).status_code == 302
    analysis = service_live(editor).advisor().analyze(message)
    assert any(e["known_bad"] for e in analysis.entities[entities]), analysis.entities[entities]


def service_live(session):
    return session.client.application.extensions["fanzha.live"]
