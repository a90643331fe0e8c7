"""Plays WeChat's servers: builds signed (and encrypted) pushes and reads the replies.

Used by `fanzha chat`, the tests and the benchmark. Never talks to real WeChat.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.wechat.codec import sha1_signature

MODES = ("plaintext", "compatible", "safe")
_msg_ids = itertools.count(int(time.time() * 1000) * 1000 + secrets.randbelow(1000))


@dataclass
class SignedPush:
    query: dict[str, str]
    body: bytes


class WeChatSimulator:
    def __init__(self, token: str, aes_key: str = "", app_id: str = "", account: str = "gh_fanzha"):
        self.token = token
        self.account = account
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key and app_id else None

    # --- messages -------------------------------------------------------------

    def message_xml(self, openid: str, msg_type: str, create_time: int | None = None,
                    **fields: Any) -> str:
        """An inbound message as WeChat would push it; normal messages get a fresh MsgId."""
        values: dict[str, Any] = {"ToUserName": self.account, "FromUserName": openid,
                                  "CreateTime": create_time or int(time.time()), "MsgType": msg_type}
        if msg_type != "event" and "MsgId" not in fields:
            values["MsgId"] = next(_msg_ids)
        values.update(fields)
        inner = "".join(f"<{name}>{_cdata(value)}</{name}>" for name, value in values.items())
        return f"<xml>{inner}</xml>"

    def text_xml(self, openid: str, content: str, **fields: Any) -> str:
        return self.message_xml(openid, "text", Content=content, **fields)

    def event_xml(self, openid: str, event: str, **fields: Any) -> str:
        return self.message_xml(openid, "event", Event=event, **fields)

    # --- signing ----------------------------------------------------------------

    def sign(self, xml: str, mode: str = "plaintext", timestamp: int | None = None,
             nonce: str | None = None) -> SignedPush:
        """Sign a body as WeChat does in the given mode; safe and compatible modes encrypt it."""
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        query = {"timestamp": timestamp_text, "nonce": nonce,
                 "signature": sha1_signature(self.token, timestamp_text, nonce),
                 "openid": _field(xml, "FromUserName")}
        if mode == "plaintext":
            return SignedPush(query, xml.encode("utf-8"))
        if self.crypto is None:
            raise ValueError(f"{mode} mode needs an AES key and an app id")
        encrypt = _field(self.crypto.encrypt_message(xml, nonce, timestamp_text), "Encrypt")
        query.update(encrypt_type="aes", msg_signature=sha1_signature(self.token, timestamp_text, nonce, encrypt))
        if mode == "safe":
            body = f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><Encrypt>{_cdata(encrypt)}</Encrypt></xml>"
        else:
            body = xml.replace("</xml>", f"<Encrypt>{_cdata(encrypt)}</Encrypt></xml>")
        return SignedPush(query, body.encode("utf-8"))

    def url_check(self, echostr: str, timestamp: int | None = None) -> dict[str, str]:
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = secrets.token_hex(8)
        return {"timestamp": timestamp_text, "nonce": nonce, "echostr": echostr,
                "signature": sha1_signature(self.token, timestamp_text, nonce)}

    # --- replies ----------------------------------------------------------------

    def read_reply(self, body: bytes | str) -> dict[str, str]:
        """The reply's fields, decrypted and signature-checked when it came encrypted."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if text.strip() in ("", "success"):
            return {}
        fields = xmltodict.parse(text)["xml"]
        if "Encrypt" in fields:
            expected = sha1_signature(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            if expected != fields["MsgSignature"]:
                raise ValueError("reply MsgSignature does not match")
            text = self.crypto.decrypt_message(fields, fields["MsgSignature"], fields["TimeStamp"],
                                               fields["Nonce"])
            fields = xmltodict.parse(text)["xml"]
        return dict(fields)


def _cdata(value: Any) -> str:
    text = str(value)
    if isinstance(value, int):
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _field(xml: str, name: str) -> str:
    """One field's text, read leniently: the simulator must sign even deliberately broken bodies."""
    match = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", xml, re.DOTALL)
    return match.group(1) if match else ""

