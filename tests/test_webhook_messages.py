"""Every message and event type WeChat pushes gets a sensible answer, never an error."""

from __future__ import annotations

import pytest

from bot.db import connect, core


def knowledge_text(app, key: str) -> str:
    return app.extensions["fanzha.live"].texts()[key]


def test_voice_with_recognition_is_read_as_text(app, resident, config):
    xml = resident.wechat.message_xml(resident.openid, "voice", MediaId="m1", Format="amr",
                                      Recognition="有人打电话说我涉嫌洗钱")
    assert resident.reply_to(xml)
    db = connect(config["storage"]["database"])
    [row] = db.query("SELECT content FROM messages")
    assert row["content"] == "有人打电话说我涉嫌洗钱"


def test_voice_without_recognition_asks_kindly_to_type(app, resident):
    xml = resident.wechat.message_xml(resident.openid, "voice", MediaId="m1", Format="amr")
    assert resident.reply_to(xml) == knowledge_text(app, "voice_unrecognised")


@pytest.mark.parametrize("msg_type,fields", [
    ("image", {"PicUrl": "http://127.0.0.1/p.jpg", "MediaId": "m1"}),
    ("video", {"MediaId": "m1", "ThumbMediaId": "t1"}),
    ("shortvideo", {"MediaId": "m1", "ThumbMediaId": "t1"}),
])
def test_pictures_and_videos_get_a_request_to_paste_the_text(app, resident, msg_type, fields):
    xml = resident.wechat.message_xml(resident.openid, msg_type, **fields)
    assert resident.reply_to(xml) == knowledge_text(app, "unsupported_media")


def test_a_link_is_checked_by_its_title_description_and_url(app, resident, config):
    xml = resident.wechat.message_xml(resident.openid, "link", Title="航班取消理赔通知",
                                      Description="点击领取改签补偿", Url="http://127.0.0.1/claim")
    assert resident.reply_to(xml)
    db = connect(config["storage"]["database"])
    [row] = db.query("SELECT content FROM messages")
    assert "航班取消理赔通知" in row["content"] and "http://127.0.0.1/claim" in row["content"]


def test_a_location_is_acknowledged(app, resident):
    xml = resident.wechat.message_xml(resident.openid, "location", Location_X="22.5", Location_Y="114.0",
                                      Scale="15", Label="某街道")
    assert resident.reply_to(xml) == knowledge_text(app, "location_ack")


def test_a_new_follower_is_welcomed_and_recorded(app, resident, config):
    assert resident.does("subscribe", EventKey="qrscene_street7") == knowledge_text(app, "welcome")
    follower = core.follower(connect(config["storage"]["database"]), resident.openid)
    assert follower["subscribed"] == 1
    assert follower["scene"] == "qrscene_street7"
    assert follower["last_message_at"] is not None


def test_an_unsubscribe_marks_the_follower_and_answers_success(app, resident, config):
    resident.does("subscribe")
    response = resident.push(resident.wechat.event_xml(resident.openid, "unsubscribe"))
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "success"
    follower = core.follower(connect(config["storage"]["database"]), resident.openid)
    assert follower["subscribed"] == 0
    assert follower["unsubscribed_at"] is not None


def test_a_text_message_records_the_last_message_time_for_the_48_hour_window(resident, config):
    resident.says("你好")
    follower = core.follower(connect(config["storage"]["database"]), resident.openid)
    assert follower["last_message_at"] is not None
    assert follower["first_seen"] is not None


@pytest.mark.parametrize("event,fields", [
    ("VIEW", {"EventKey": "http://127.0.0.1/page"}),
    ("LOCATION", {"Latitude": "22.5", "Longitude": "114.0", "Precision": "30"}),
    ("MASSSENDJOBFINISH", {"MsgID": "1000001", "Status": "send success", "TotalCount": "10",
                           "FilterCount": "10", "SentCount": "9", "ErrorCount": "1"}),
    ("TEMPLATESENDJOBFINISH", {"MsgID": "1000002", "Status": "success"}),
])
def test_bookkeeping_events_are_answered_with_success(resident, event, fields):
    response = resident.push(resident.wechat.event_xml(resident.openid, event, **fields))
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "success"


def test_a_menu_click_gets_an_answer(resident):
    assert resident.does("CLICK", EventKey="MENU_HELP")


def test_a_scan_event_gets_an_answer(resident):
    assert resident.does("SCAN", EventKey="street7", Ticket="t")


@pytest.mark.parametrize("msg_type", ["miniprogrampage", "file", "something_new"])
def test_unknown_message_types_get_a_polite_default(resident, msg_type):
    xml = resident.wechat.message_xml(resident.openid, msg_type, Title="x")
    assert resident.reply_to(xml)


def test_an_unknown_event_gets_a_polite_default(resident):
    assert resident.does("some_future_event")
