"""Editing the knowledge base in the console: validation, revisions, restore, try it, audit."""

from __future__ import annotations

import pytest

from bot import db as store
from bot.db import console as console_db
from bot.db import knowledge as kb_db
from tests.console_fixtures import TEST_ENTRY, console_config

ENTRY_URL = f"/admin/kb/entry/{TEST_ENTRY['id']}"


@pytest.fixture
def config(tmp_path):
    return console_config(tmp_path)


@pytest.fixture
def db(app, config):
    connection = store.connect(config["storage"]["database"])
    yield connection
    connection.conn.close()


def entry_form(document: dict, revision: int, **changes) -> dict:
    """The edit form's fields for a document, as the browser would send them."""
    document = {**document, **changes}
    signals = document["signals"]
    return {
        "id": document["id"], "category": document["category"], "title": document["title"],
        "script": document["script"], "why": document["why"], "question": document.get("question", ""),
        "actions": "\n".join(document["actions"]), "avoid": "\n".join(document["avoid"]),
        "signal_words": ["、".join(s["words"]) for s in signals] + [""],
        "signal_weight": [str(s["weight"]) for s in signals] + [""],
        "signal_note": [s.get("note", "") for s in signals] + [""],
        "combo_words": [""], "combo_weight": [""], "combo_note": [""],
        "revision": str(revision),
    }


def current(db) -> dict:
    return kb_db.entry(db, TEST_ENTRY["id"])


def test_entries_are_listed_and_searchable(viewer):
    page = viewer.get("/admin/kb/?q=蓝莓").get_data(as_text=True)
    assert TEST_ENTRY["title"] in page
    assert TEST_ENTRY["title"] not in viewer.get("/admin/kb/?q=完全不存在的词").get_data(as_text=True)


def test_editor_saves_an_entry_as_a_new_revision(editor, db):
    row = current(db)
    response = editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="新标题"), "do": "save"})
    assert response.status_code == 302
    after = current(db)
    assert after["document"]["title"] == "新标题" and after["revision"] == row["revision"] + 1
    assert [r["revision"] for r in kb_db.revisions(db, "entry", TEST_ENTRY["id"])] == [2, 1]


def test_a_save_is_audited_with_before_and_after(editor, db):
    row = current(db)
    editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="审计标题"), "do": "save"})
    audit = console_db.audit_entries(db)[0]
    assert audit["operator"] == "editor" and audit["action"] == "kb.entry.update"
    assert audit["target"] == f"entry:{TEST_ENTRY['id']}"
    assert audit["before"]["document"]["title"] == TEST_ENTRY["title"]
    assert audit["after"]["document"]["title"] == "审计标题"


@pytest.mark.parametrize("changes,message", [
    ({"title": ""}, "标题 必须填写"),
    ({"avoid": ["只有一条"]}, "如何防范 至少需要 2 条"),
    ({"signals": [{"words": ["词"], "weight": "很多"}]}, "权重必须是数字"),
    ({"signals": [{"words": ["词"], "weight": 99}]}, "必须是 -10 到 10 之间"),
    ({"category": "不存在的类型"}, "不是 18 种标准类型之一"),
])
def test_invalid_entries_are_refused_with_a_message_in_the_form(editor, db, changes, message):
    row = current(db)
    response = editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], **changes), "do": "save"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert current(db)["revision"] == row["revision"]


def test_a_refused_form_keeps_what_the_operator_typed(editor, db):
    row = current(db)
    form = entry_form(row["document"], row["revision"], title="我改的标题")
    form["signal_words"][-1], form["signal_weight"][-1] = "新加的词", "很多"
    page = editor.post(ENTRY_URL, {**form, "do": "save"}).get_data(as_text=True)
    assert 'value="我改的标题"' in page and 'value="新加的词"' in page and 'value="很多"' in page


def test_try_without_a_message_asks_for_one(editor, db):
    row = current(db)
    response = editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"]), "do": "try"})
    assert response.status_code == 400 and "输入一条消息" in response.get_data(as_text=True)


def test_a_stale_form_does_not_overwrite_a_newer_save(editor, db):
    row = current(db)
    editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="第一人"), "do": "save"})
    response = editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="第二人"), "do": "save"})
    assert response.status_code == 409 and "已被其他人修改" in response.get_data(as_text=True)
    assert current(db)["document"]["title"] == "第一人"


def test_viewer_cannot_edit(viewer, db):
    row = current(db)
    response = viewer.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="x"), "do": "save"})
    assert response.status_code == 403
    assert viewer.post(f"{ENTRY_URL}/delete").status_code == 403
    assert "btn-save" not in viewer.get(ENTRY_URL).get_data(as_text=True)


def test_create_a_new_entry(editor, db):
    form = entry_form({**TEST_ENTRY, "id": "console-new-entry"}, 0, title="新条目")
    response = editor.post("/admin/kb/new", {**form, "do": "save"})
    assert response.status_code == 302
    assert kb_db.entry(db, "console-new-entry")["document"]["title"] == "新条目"


def test_create_refuses_a_taken_id(editor, db):
    response = editor.post("/admin/kb/new", {**entry_form(TEST_ENTRY, 0), "do": "save"})
    assert response.status_code == 400 and "已被其他条目使用" in response.get_data(as_text=True)


def test_try_it_runs_the_draft_without_saving(editor, db):
    row = current(db)
    form = entry_form(row["document"], row["revision"], actions=["草稿里的新建议：拨打96110咨询。"])
    response = editor.post(ENTRY_URL, {**form, "do": "try", "try_text": "蓝莓理赔专员加我微信"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "草稿里的新建议" in page and "蓝莓理赔专员" in page
    assert current(db)["revision"] == row["revision"]


def test_try_it_against_live(viewer):
    page = viewer.get("/admin/kb/try", query_string={"text": "蓝莓理赔专员让我下载会议软件"}).get_data(as_text=True)
    assert f"匹配条目：{TEST_ENTRY['id']}" in page and "蓝莓理赔专员" in page


def test_a_saved_change_reaches_residents_without_restart(editor, db, resident):
    assert "拨打测试专线" not in resident.says("有个蓝莓理赔专员联系我")
    row = current(db)
    editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"],
                                        actions=["请先拨打测试专线核实。"]), "do": "save"})
    assert "拨打测试专线" in resident.says("又有个蓝莓理赔专员联系我")


def test_disable_and_enable(editor, db):
    editor.post(f"{ENTRY_URL}/enabled", {"enabled": "0"})
    assert current(db)["enabled"] == 0
    assert "停用" in editor.get("/admin/kb/").get_data(as_text=True)
    editor.post(f"{ENTRY_URL}/enabled", {"enabled": "1"})
    assert current(db)["enabled"] == 1
    assert [a["action"] for a in console_db.audit_entries(db)[:2]] == ["kb.entry.enable", "kb.entry.disable"]


def test_delete_then_restore(editor, db):
    editor.post(f"{ENTRY_URL}/delete")
    assert current(db) is None
    assert TEST_ENTRY["id"] in editor.get("/admin/kb/").get_data(as_text=True)
    editor.post(f"{ENTRY_URL}/revisions/1/restore")
    assert current(db)["document"]["title"] == TEST_ENTRY["title"] and current(db)["revision"] == 3


def test_compare_and_restore_a_revision(editor, db):
    row = current(db)
    editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="改坏了"), "do": "save"})
    page = editor.get(f"{ENTRY_URL}/revisions?a=1&b=2").get_data(as_text=True)
    assert "历史版本：改坏了" in page and TEST_ENTRY["title"] in page and 'class="add"' in page
    assert editor.post(f"{ENTRY_URL}/revisions/1/restore").status_code == 302
    after = current(db)
    assert after["document"]["title"] == TEST_ENTRY["title"] and after["revision"] == 3
    assert kb_db.revisions(db, "entry", TEST_ENTRY["id"])[0]["action"] == "restore"
    assert console_db.audit_entries(db)[0]["action"] == "kb.entry.restore"


def test_saving_an_unchanged_form_shows_no_difference(editor, db):
    row = current(db)
    editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"]), "do": "save"})
    assert current(db)["document"] == row["document"]
    assert "两个版本内容相同" in editor.get(f"{ENTRY_URL}/revisions").get_data(as_text=True)


def test_knowledge_text_is_escaped_in_every_page(editor, db):
    row = current(db)
    editor.post(ENTRY_URL, {**entry_form(row["document"], row["revision"], title="<img src=x onerror=alert(1)>"),
                            "do": "save"})
    for path in ("/admin/kb/", ENTRY_URL, f"{ENTRY_URL}/revisions"):
        page = editor.get(path).get_data(as_text=True)
        assert "<img src=x" not in page and "&lt;img src=x" in page, path


# --- texts ----------------------------------------------------------------------------------

def test_edit_a_text_with_revision_and_audit(editor, db, resident):
    response = editor.post("/admin/texts/default", {"value": "测试默认回复：请把可疑内容发给我。", "do": "save"})
    assert response.status_code == 302
    assert kb_db.texts(db)["default"].startswith("测试默认回复")
    assert kb_db.revisions(db, "text", "default")[0]["revision"] == 2
    assert console_db.audit_entries(db)[0]["after"].startswith("测试默认回复")


@pytest.mark.parametrize("value,message", [
    ("请打{phone}", "无法自动填写"),
    ("少了一个括号 {value", "不成对"),
])
def test_a_text_cannot_gain_placeholders_the_code_does_not_fill(editor, db, value, message):
    before = kb_db.texts(db)["known_bad"]
    response = editor.post("/admin/texts/known_bad", {"value": value, "do": "save"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert kb_db.texts(db)["known_bad"] == before


def test_a_text_may_drop_a_placeholder_and_bring_it_back(editor, db):
    assert editor.post("/admin/texts/known_bad", {"value": "{value} 已被举报", "do": "save"}).status_code == 302
    assert editor.post("/admin/texts/known_bad", {"value": "{value} 已被举报 {note}", "do": "save"}).status_code == 302


def test_required_texts_cannot_be_deleted_or_emptied(editor, db):
    assert editor.post("/admin/texts/fallback", {"value": "  ", "do": "save"}).status_code == 400
    editor.post("/admin/texts/fallback/delete")
    assert "fallback" in kb_db.texts(db)


def test_create_and_delete_an_optional_text(editor, db):
    editor.post("/admin/texts/", {"key": "extra_note", "value": "补充说明"})
    assert kb_db.texts(db)["extra_note"] == "补充说明"
    bad = editor.post("/admin/texts/", {"key": "Bad Key", "value": "x"})
    assert bad.status_code == 400 and "键名只能用" in bad.get_data(as_text=True)
    editor.post("/admin/texts/extra_note/delete")
    assert "extra_note" not in kb_db.texts(db)


def test_restore_a_text_revision(editor, db):
    original = kb_db.texts(db)["hotlines"]
    editor.post("/admin/texts/hotlines", {"value": "改过的热线", "do": "save"})
    editor.post("/admin/texts/hotlines/revisions/1/restore")
    assert kb_db.texts(db)["hotlines"] == original


def test_disguises_are_validated(editor, db):
    bad = editor.post("/admin/texts/-/disguises", {"source": '"微信" = "不是列表"'})
    assert bad.status_code == 400 and "格式有误" in bad.get_data(as_text=True)
    editor.post("/admin/texts/-/disguises", {"source": '"微信" = ["v信"]\n"博彩" = ["菠菜"]'})
    assert kb_db.document(db, "disguises") == {"微信": ["v信"], "博彩": ["菠菜"]}
