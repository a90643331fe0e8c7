"""Helpers shared by the alert and worker tests: residents in the database, previewed alerts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.alerts import service
from bot.alerts.service import AlertSpec
from bot.db import alerts as alerts_store
from bot.db import core
from bot.timeutil import to_db

TZ = ZoneInfo("Asia/Shanghai")
OPERATOR = "o_operator"


def add_residents(db, fake, openids, opted_in=True, wrote_hours_ago=1.0, area=None, groups=()):
    """Followers who wrote to the account `wrote_hours_ago`, opted in (or not), known to the fake."""
    now = datetime.now(timezone.utc)
    wrote = now - timedelta(hours=wrote_hours_ago)
    for openid in openids:
        core.touch_follower(db, openid, to_db(wrote), wrote=True)
        alerts_store.save_subscription(db, openid, opted_in, area, list(groups), to_db(now))
        fake.touch(openid, at=wrote.timestamp())


def make_alert(db, api, texts, now=None, confirm=True, **spec) -> int:
    """Create, preview on the operator's OpenID and (by default) confirm an alert."""
    now = now or datetime.now(timezone.utc)
    fields = {"title": "测试预警", "content": "【反诈预警】近期出现冒充客服退款诈骗，请勿点击陌生链接。", **spec}
    alert_id = service.create(db, AlertSpec(**fields), texts, now, TZ)
    service.preview(db, api, alert_id, OPERATOR, texts, now)
    if confirm:
        service.confirm(db, alert_id, texts, now, TZ)
    return alert_id
