"""The console's alert pages: admins create, preview, confirm and cancel; everyone sees results in Chinese."""

from __future__ import annotations

import pytest

from bot import db as store
from bot.alerts.worker import Worker
from bot.db import alerts as alerts_store
from bot.wechat.api import WeChatAPI
from tests.alert_helpers import OPERATOR, add_residents
from tests.wechat_api_fixtures import alerts_config


@pytest.fixture
def config(tmp_path, fake_wechat):
    """The app's config, with its WeChat API calls going to the fake."""
    return alerts_config(tmp_path, fake_wechat)


@pytest.fixture
def db(app, config):
    connection = store.connect(config["storage"]["database"])
    yield connection
    connection.conn.close()


def create(admin, **fields):
    form = {"title": "刷单预警", "content": "警惕刷单返利诈骗，凡是刷单都是诈骗！", "audience": "opted_in",
            "channel": "mass", "schedule": "立即", **fields}
    return admin.post("/admin/alerts/", data=form)


def test_an_admin_creates_previews_and_confirms_an_alert(admin, db, fake_wechat):
    page = admin.get("/admin/alerts/").get_data(as_text=True)
    assert "订阅号：每天可群发 1 次" in page and 'id="btn-alert-create"' in page
    created = create(admin)
    assert created.status_code == 302 and created.headers["Location"].endswith("/admin/alerts/1")
    draft = admin.get("/admin/alerts/1").get_data(as_text=True)
    assert "草稿" in draft and "尚未预览" in draft
    assert admin.post("/admin/alerts/1/confirm").status_code == 302
    assert alerts_store.alert(db, 1)["status"] == "draft"
    admin.post("/admin/alerts/1/preview", data={"openid": OPERATOR})
    assert fake_wechat.previews == [(OPERATOR, "警惕刷单返利诈骗，凡是刷单都是诈骗！")]
    admin.post("/admin/alerts/1/confirm")
    assert alerts_store.alert(db, 1)["status"] == "scheduled"
    actions = [row["action"] for row in db.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-3:] == ["alert.create", "alert.preview", "alert.confirm"]


def test_a_second_mass_send_the_same_day_needs_the_quota_warning_acknowledged(admin, db):
    for title in ("第一条", "第二条"):
        create(admin, title=title, schedule="2099-01-01 09:00")
    for alert_id in (1, 2):
        admin.post(f"/admin/alerts/{alert_id}/preview", data={"openid": OPERATOR})
    admin.post("/admin/alerts/1/confirm")
    page = admin.get("/admin/alerts/2").get_data(as_text=True)
    assert "每天只能群发 1 次" in page and "我已了解上述配额提醒" in page
    admin.post("/admin/alerts/2/confirm")
    assert alerts_store.alert(db, 2)["status"] == "draft"
    admin.post("/admin/alerts/2/confirm", data={"acknowledge": "yes"})
    assert alerts_store.alert(db, 2)["status"] == "scheduled"


def test_a_bad_alert_is_refused_with_the_reason(admin, db):
    response = create(admin, content="诈" * 700)
    assert response.status_code == 400 and "超过微信文本消息上限" in response.get_data(as_text=True)
    assert alerts_store.alerts(db) == []


def test_viewers_read_but_cannot_manage(viewer, admin, db):
    create(admin)
    page = viewer.get("/admin/alerts/").get_data(as_text=True)
    assert "刷单预警" in page and 'id="btn-alert-create"' not in page
    assert "btn-alert-preview" not in viewer.get("/admin/alerts/1").get_data(as_text=True)
    assert create(viewer).status_code == 403
    assert viewer.post("/admin/alerts/1/cancel").status_code == 403
    assert alerts_store.alert(db, 1)["status"] == "draft"


def test_failures_are_shown_with_the_wechat_error_in_chinese(admin, db, config, fake_wechat):
    add_residents(db, fake_wechat, ["o_a", "o_b"])
    fake_wechat.touch("o_b", at=fake_wechat.clock() - 49 * 3600)
    create(admin, channel="custom")
    admin.post("/admin/alerts/1/preview", data={"openid": OPERATOR})
    admin.post("/admin/alerts/1/confirm")
    worker = Worker(config, db, WeChatAPI(config, db))
    while worker.tick():
        pass
    page = admin.get("/admin/alerts/1").get_data(as_text=True)
    assert "部分失败" in page and "o_b" in page and "48 小时内没有与公众号互动" in page


def test_a_preview_wechat_refuses_is_explained(admin, fake_wechat):
    create(admin)
    fake_wechat.fail("message/mass/preview", 40003)
    admin.post("/admin/alerts/1/preview", data={"openid": "o_wrong"})
    page = admin.get("/admin/alerts/1").get_data(as_text=True)
    assert "预览发送失败" in page and "OpenID 无效" in page


def test_cancel_is_audited(admin, db):
    create(admin, schedule="每周一 09:00")
    admin.post("/admin/alerts/1/preview", data={"openid": OPERATOR})
    admin.post("/admin/alerts/1/confirm")
    admin.post("/admin/alerts/1/cancel")
    assert alerts_store.alert(db, 1)["status"] == "cancelled"
    [entry] = list(db.query("SELECT * FROM audit_log WHERE action = 'alert.cancel'"))
    assert entry["target"] == "alert:1" and entry["operator"] == "admin"
