"""The webhook as WeChat sees it: signed pushes in, valid reply XML out, refusals as 4xx."""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot.db import connect
from bot.wechat.simulator import MODES
from tests.conftest import Resident


def stored_messages(config) -> list[dict]:
    db = connect(config["storage"]["database"])
    return list(db.query("SELECT * FROM messages ORDER BY id"))


# --- URL verification -------------------------------------------------------

def test_url_check_answers_echostr_unchanged(client, resident):
    query = resident.wechat.url_check("echo-12345")
    response = client.get("/wechat", query_string=query)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "echo-12345"


def test_url_check_with_a_wrong_signature_is_refused(client, resident):
    query = resident.wechat.url_check("echo-12345") | {"signature": "0" * 40}
    response = client.get("/wechat", query_string=query)
    assert response.status_code == 403
    assert "echo" not in response.get_data(as_text=True)


def test_url_check_without_echostr_is_a_bad_request(client, resident):
    query = resident.wechat.url_check("x")
    del query["echostr"]
    assert client.get("/wechat", query_string=query).status_code == 400


# --- the three modes ----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_a_text_message_is_answered_in_every_mode(client, config, mode):
    resident = Resident(client, config, mode=mode)
    push = resident.wechat.text_xml(resident.openid, "有人让我下载会议软件做笔录")
    response = resident.push(push)
    assert response.status_code == 200
    reply = resident.wechat.read_reply(response.data)
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == resident.openid
    assert reply["Content"]
    encrypted = b"<Encrypt>" in response.data
    assert encrypted == (mode != "plaintext")


def test_compatible_mode_trusts_only_the_decrypted_copy(client, config):
    resident = Resident(client, config, mode="compatible")
    push = resident.wechat.sign(resident.wechat.text_xml("o_real_sender", "你好"), "compatible")
    forged = push.body.replace(b"o_real_sender", b"o_forged_sender", 1)
    response = client.post("/wechat", query_string=push.query, data=forged)
    assert response.status_code == 200
    assert resident.wechat.read_reply(response.data)["ToUserName"] == "o_real_sender"
    assert [m["openid"] for m in stored_messages(config)] == ["o_real_sender"]


def test_safe_mode_with_a_wrong_msg_signature_is_refused(client, config):
    resident = Resident(client, config, mode="safe")
    push = resident.wechat.sign(resident.wechat.text_xml("o1", "你好"), "safe")
    push.query["msg_signature"] = "f" * 40
    assert client.post("/wechat", query_string=push.query, data=push.body).status_code == 403


def test_safe_mode_without_msg_signature_is_a_bad_request(client, config):
    resident = Resident(client, config, mode="safe")
    push = resident.wechat.sign(resident.wechat.text_xml("o1", "你好"), "safe")
    del push.query["msg_signature"]
    assert client.post("/wechat", query_string=push.query, data=push.body).status_code == 400


def test_safe_mode_with_garbage_ciphertext_is_a_bad_request(client, config):
    resident = Resident(client, config, mode="safe")
    push = resident.wechat.sign(resident.wechat.text_xml("o1", "你好"), "safe")
    garbage = "QUJDREVGR0g="
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt>{garbage}</Encrypt></xml>"
    from bot.wechat.codec import sha1_signature
    push.query["msg_signature"] = sha1_signature("test-token", push.query["timestamp"],
                                                 push.query["nonce"], garbage)
    response = client.post("/wechat", query_string=push.query, data=body)
    assert 400 <= response.status_code < 500


def test_an_encrypted_push_without_a_configured_key_is_refused(tmp_path):
    from bot import create_app
    from bot.cli.server import run_setup
    from tests.conftest import make_config

    keyless = make_config(tmp_path, wechat={"encoding_aes_key": ""})
    run_setup(keyless, echo=lambda _line: None)
    client = create_app(keyless).test_client()
    sender = Resident(client, make_config(tmp_path / "other"), mode="safe")
    response = sender.push(sender.wechat.text_xml("o1", "你好"))
    assert response.status_code == 400


# --- refusals -------------------------------------------------------------------

def tampered(signature: str) -> str:
    """The signature with its last hex digit changed (always to a different digit)."""
    return signature[:-1] + ("1" if signature.endswith("0") else "0")


def signed(resident: Resident, text: str = "你好", **options):
    return resident.wechat.sign(resident.wechat.text_xml(resident.openid, text), "plaintext", **options)


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
def test_a_push_missing_a_query_parameter_is_a_bad_request(client, resident, missing):
    push = signed(resident)
    del push.query[missing]
    assert client.post("/wechat", query_string=push.query, data=push.body).status_code == 400


def test_a_wrong_signature_is_refused_before_the_body_is_parsed(client, resident, config):
    push = signed(resident)
    push.query["signature"] = tampered(push.query["signature"])
    response = client.post("/wechat", query_string=push.query, data=b"<not xml")
    assert response.status_code == 403
    assert stored_messages(config) == []


@pytest.mark.parametrize("skew", [-301, 301, -86400])
def test_a_stale_or_future_timestamp_is_refused(client, resident, skew):
    push = signed(resident, timestamp=int(time.time()) + skew)
    response = client.post("/wechat", query_string=push.query, data=push.body)
    assert response.status_code == 403
    assert "timestamp" in response.get_data(as_text=True)


def test_a_timestamp_that_is_not_a_number_is_a_bad_request(client, resident):
    from bot.wechat.codec import sha1_signature

    push = signed(resident)
    push.query["timestamp"] = "soon"
    push.query["signature"] = sha1_signature("test-token", "soon", push.query["nonce"])
    assert client.post("/wechat", query_string=push.query, data=push.body).status_code == 400


def test_a_replayed_nonce_carrying_another_message_is_refused(client, resident, config):
    first = signed(resident, "第一条")
    assert client.post("/wechat", query_string=first.query, data=first.body).status_code == 200
    other_body = resident.wechat.text_xml(resident.openid, "被替换的内容")
    response = client.post("/wechat", query_string=first.query, data=other_body.encode())
    assert response.status_code == 403
    assert [m["content"] for m in stored_messages(config)] == ["第一条"]


def test_an_enormous_body_is_refused_with_413(client, resident, config):
    huge = resident.wechat.text_xml(resident.openid, "骗" * 40000)
    push = resident.wechat.sign(huge)
    response = client.post("/wechat", query_string=push.query, data=push.body)
    assert response.status_code == 413
    assert stored_messages(config) == []


@pytest.mark.parametrize("body", [
    b"",
    b"   ",
    b"<xml><ToUserName>gh</ToUserName>",
    b"not xml at all",
    b"<root><MsgType>text</MsgType></root>",
    b"<xml><FromUserName>o1</FromUserName><Content>no type</Content></xml>",
    b"<xml><MsgType>text</MsgType><Content>no sender</Content></xml>",
    b"<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><MsgType>image</MsgType></xml>",
    b"<xml><FromUserName><a>1</a></FromUserName><MsgType>text</MsgType></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>\u4f60</Content></xml>".encode("gbk"),
    b"\xff\xfe<\x00x\x00m\x00l\x00>",
    b'<!DOCTYPE xml [<!ENTITY boom "boom">]><xml><FromUserName>o1</FromUserName>'
    b"<MsgType>text</MsgType><Content>&boom;</Content></xml>",
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml/>',
    b'<!ENTITY x SYSTEM "file:///etc/passwd"><xml/>',
])
def test_malformed_bodies_are_refused_with_4xx_and_a_log_line(client, resident, body, caplog):
    push = signed(resident)
    with caplog.at_level(logging.WARNING, logger="fanzha.webhook"):
        response = client.post("/wechat", query_string=push.query, data=body)
    assert 400 <= response.status_code < 500
    assert any("refused" in record.getMessage() for record in caplog.records)


def test_a_get_with_a_stale_timestamp_is_refused(client, resident):
    query = resident.wechat.url_check("e", timestamp=int(time.time()) - 1000)
    assert client.get("/wechat", query_string=query).status_code == 403


# --- retries ----------------------------------------------------------------------

def test_a_retried_message_is_processed_once_and_gets_the_identical_reply(client, resident, config):
    xml = resident.wechat.text_xml(resident.openid, "客服说要退款，让我开屏幕共享")
    first = resident.wechat.read_reply(resident.push(xml).data)
    second = resident.wechat.read_reply(resident.push(xml).data)
    third = resident.wechat.read_reply(resident.push(xml).data)
    assert first["Content"] == second["Content"] == third["Content"]
    assert len(stored_messages(config)) == 1


def test_a_retry_with_the_same_nonce_and_body_is_a_retry_not_a_replay(client, resident, config):
    push = signed(resident, "同一条消息")
    first = client.post("/wechat", query_string=push.query, data=push.body)
    again = client.post("/wechat", query_string=push.query, data=push.body)
    assert first.status_code == again.status_code == 200
    assert first.data == again.data
    assert len(stored_messages(config)) == 1


def test_events_are_deduplicated_by_sender_time_and_event(client, resident, config):
    xml = resident.wechat.event_xml(resident.openid, "subscribe", create_time=1700000000)
    first = resident.reply_to(xml)
    second = resident.reply_to(xml)
    assert first == second
    assert len(stored_messages(config)) == 1


def test_different_messages_from_one_resident_are_all_processed(resident, config):
    for text in ("一", "二", "三"):
        resident.says(text)
    assert [m["content"] for m in stored_messages(config)] == ["一", "二", "三"]


# --- storage ------------------------------------------------------------------------

def test_every_message_and_its_reply_are_stored(resident, config):
    reply = resident.says("我在网上刷单做任务，已经转了5000元")
    [message] = stored_messages(config)
    assert message["openid"] == resident.openid
    assert message["msg_type"] == "text"
    assert message["content"] == "我在网上刷单做任务，已经转了5000元"
    assert message["status"] == "replied"
    assert message["latency_ms"] is not None and message["latency_ms"] >= 0
    assert json.loads(message["reply_content"]) == {"type": "text", "content": reply}
    assert message["risk"] is not None


# --- replies are always valid XML ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "a]]>b",
    "]]>]]><![CDATA[",
    "<xml>&amp;</xml>",
    "控制\x01字符\x08",
    "表情😀🙏👴",
    "\u202eRTL override",
])
def test_hostile_user_text_never_breaks_the_reply_xml(resident, text):
    echo = resident.wechat.text_xml(resident.openid, text)
    response = resident.push(echo)
    assert response.status_code == 200
    assert resident.wechat.read_reply(response.data)["Content"]


def test_reply_xml_escapes_cdata_terminators_in_the_text():
    from bot.dialogue.model import Inbound, Reply
    from bot.wechat.codec import render_text_reply
    import xmltodict

    inbound = Inbound(openid="o1", msg_type="text", fields={"ToUserName": "gh_x"})
    xml = render_text_reply(Reply("警惕]]><b>这样的链接</b>\x07"), inbound)
    assert xmltodict.parse(xml)["xml"]["Content"] == "警惕]]><b>这样的链接</b>"


def test_long_replies_are_cut_at_a_sentence_under_2000_bytes():
    from bot.textfit import fit, utf8_len

    text = "".join(f"第{i}句话：请不要向陌生人转账。" for i in range(300))
    fitted = fit(text)
    assert utf8_len(fitted) <= 2000
    assert fitted.endswith("。……")
    assert text.startswith(fitted[:-2])


def test_a_single_enormous_sentence_is_cut_between_characters():
    from bot.textfit import fit, utf8_len

    fitted = fit("骗" * 1000 + "😀" * 10)
    assert utf8_len(fitted) <= 2000
    fitted.encode("utf-8").decode("utf-8")
    assert fitted.endswith("……")
