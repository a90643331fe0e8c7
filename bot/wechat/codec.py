"""WeChat's wire format: signatures, the AES envelope, inbound XML and reply XML."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time
from typing import Any

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.dialogue.model import Inbound, Reply
from bot.textfit import fit, xml_safe


class Refused(Exception):
    """A request we will not process; `status` is the 4xx to answer, the message says why."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


_DANGEROUS_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCRYPT_TAG = re.compile(rb"<Encrypt>", re.IGNORECASE)
# Control characters XML 1.0 forbids; a resident's odd keystroke must not cost them an answer.
_XML_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))


def check_url_signature(token: str, query: dict[str, str]) -> None:
    """The signature over (token, timestamp, nonce) that every request carries."""
    for name in ("signature", "timestamp", "nonce"):
        if not query.get(name):
            raise Refused(400, f"missing query parameter {name}")
    if not signature_matches(sha1_signature(token, query["timestamp"], query["nonce"]), query["signature"]):
        raise Refused(403, "signature mismatch")


def check_timestamp(raw: str, tolerance: int, now: float | None = None) -> int:
    try:
        timestamp = int(raw)
    except ValueError:
        raise Refused(400, f"timestamp is not a number: {raw[:20]!r}") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise Refused(403, f"timestamp {timestamp} is outside ±{tolerance}s")
    return timestamp


def check_body_shape(body: bytes) -> None:
    if not body.strip():
        raise Refused(400, "empty body")
    if _DANGEROUS_XML.search(body):
        raise Refused(400, "DOCTYPE or ENTITY declarations are not accepted")


def is_encrypted(body: bytes, query: dict[str, str]) -> bool:
    return query.get("encrypt_type", "").lower() == "aes" or bool(_ENCRYPT_TAG.search(body))


def decrypt(body: bytes, query: dict[str, str], crypto: WeChatCrypto | None, token: str) -> str:
    """Safe and compatible modes: verify msg_signature, decrypt, and trust only the decrypted XML."""
    if crypto is None:
        raise Refused(400, "encrypted message but no encoding_aes_key is configured")
    msg_signature = query.get("msg_signature", "")
    if not msg_signature:
        raise Refused(400, "missing query parameter msg_signature")
    encrypt = parse_xml(body).get("Encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise Refused(400, "encrypted message without an Encrypt field")
    expected = sha1_signature(token, query["timestamp"], query["nonce"], encrypt)
    if not signature_matches(expected, msg_signature):
        raise Refused(403, "msg_signature mismatch")
    try:
        plain = crypto.decrypt_message({"Encrypt": encrypt}, msg_signature, query["timestamp"], query["nonce"])
    except (InvalidSignatureException, InvalidAppIdException) as error:
        raise Refused(403, f"cannot decrypt: {type(error).__name__}") from None
    except (ValueError, TypeError, KeyError, IndexError, struct.error) as error:
        raise Refused(400, f"cannot decrypt: {type(error).__name__}") from None
    return plain.decode("utf-8") if isinstance(plain, bytes) else plain


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """Parse a flat <xml> document; anything else is refused with a reason."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    check_body_shape(raw)
    try:
        document = xmltodict.parse(_XML_CONTROL_BYTES.sub(b"", raw), disable_entities=True)
    except UnicodeDecodeError:
        raise Refused(400, "body is not valid UTF-8") from None
    except Exception as error:  # xmltodict raises expat and its own errors; all mean bad XML
        raise Refused(400, f"malformed XML: {type(error).__name__}") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise Refused(400, "the root element is not <xml> with fields")
    return root


def to_inbound(root: dict[str, Any]) -> Inbound:
    """Turn parsed fields into an Inbound; repeated or nested fields are refused."""
    fields = {}
    for name, value in root.items():
        if value is not None and not isinstance(value, str):
            raise Refused(400, f"field {name} is repeated or nested")
        fields[name] = value or ""
    for name in ("FromUserName", "MsgType"):
        if not fields.get(name):
            raise Refused(400, f"missing field {name}")
    msg_type = fields["MsgType"].strip().lower()
    return Inbound(
        openid=fields["FromUserName"].strip(),
        msg_type=msg_type,
        text=_readable_text(msg_type, fields),
        event=fields.get("Event", "").strip() or None,
        event_key=fields.get("EventKey") or None,
        msg_id=fields.get("MsgId") or fields.get("MsgID") or None,
        wechat_time=_int_or_zero(fields.get("CreateTime", "")),
        fields=fields,
    )


def _readable_text(msg_type: str, fields: dict[str, str]) -> str:
    if msg_type == "text":
        return fields.get("Content", "")
    if msg_type == "voice":
        return fields.get("Recognition", "").strip()
    if msg_type == "link":
        return "\n".join(filter(None, (fields.get("Title"), fields.get("Description"), fields.get("Url"))))
    return ""


def _int_or_zero(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return 0


def dedup_key(inbound: Inbound) -> str:
    """Normal messages by MsgId; events (and anything without one) by sender, time and event."""
    if inbound.msg_type != "event" and inbound.msg_id:
        return f"msg:{inbound.msg_id}"
    return f"evt:{inbound.openid}:{inbound.wechat_time}:{inbound.event or inbound.msg_type}"


def render_text_reply(reply: Reply, inbound: Inbound, now: int | None = None) -> str:
    """Reply XML that stays valid whatever the text holds: CDATA split at ]]>, control chars dropped."""
    content = fit(xml_safe(reply.content))
    return (
        "<xml>"
        f"<ToUserName>{_cdata(inbound.openid)}</ToUserName>"
        f"<FromUserName>{_cdata(inbound.fields.get('ToUserName', ''))}</FromUserName>"
        f"<CreateTime>{int(time.time() if now is None else now)}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    )


def _cdata(text: str) -> str:
    return "<![CDATA[" + xml_safe(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def encrypt_reply(xml: str, crypto: WeChatCrypto, nonce: str, timestamp: str) -> str:
    return crypto.encrypt_message(xml, nonce, timestamp)


def make_crypto(token: str, aes_key: str, app_id: str) -> WeChatCrypto | None:
    if not (aes_key and app_id):
        return None
    return WeChatCrypto(token, aes_key, app_id)
