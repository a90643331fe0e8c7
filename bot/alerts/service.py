"""What operators do with alerts (the CLI and the console both call this): create, preview,
confirm, cancel, and the quota warnings to read before confirming.

An alert is created as a draft. It is sent only after the operator previewed it on their own
OpenID and confirmed it, and only with the text they previewed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.alerts import schedule as schedules
from bot.alerts.knowledge import AlertTexts
from bot.db import alerts as store
from bot.textfit import utf8_len, xml_safe
from bot.timeutil import from_db, to_db
from bot.wechat.api import WeChatAPI

CONTENT_LIMIT_BYTES = 2000   # WeChat text messages: about 2048 bytes; keep a margin
TITLE_LIMIT_CHARS = 60
TAG_LIMIT_BYTES = 30
SERVICE_MONTHLY_QUOTA = 4
WINDOW = timedelta(hours=48)


class AlertProblem(Exception):
    """An operator mistake; `message` is the Chinese explanation from knowledge/alerts.toml."""

    def __init__(self, texts: AlertTexts, key: str, **values: object):
        self.key = key
        self.message = texts.problems[key].format(**values)
        super().__init__(self.message)


@dataclass
class AlertSpec:
    """An alert as an operator describes it."""
    title: str
    content: str
    audience: str = "opted_in"             # all | tags | opted_in
    tags: list[str] = field(default_factory=list)
    channel: str = "mass"                  # mass | custom
    schedule: str = "now"                  # now | YYYY-MM-DD HH:MM | daily HH:MM | every Monday HH:MM
    created_by: str = ""


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def check(spec: AlertSpec, texts: AlertTexts, now: datetime, tz: ZoneInfo) -> schedules.Schedule:
    """Raise AlertProblem for the first thing wrong with the spec; return its parsed schedule."""
    if not spec.title.strip():
        raise AlertProblem(texts, "empty_title")
    if len(spec.title) > TITLE_LIMIT_CHARS:
        raise AlertProblem(texts, "long_title")
    _check_content(spec.content, texts)
    if spec.audience == "tags" and not spec.tags:
        raise AlertProblem(texts, "no_tags")
    for tag in spec.tags:
        if utf8_len(tag) > TAG_LIMIT_BYTES:
            raise AlertProblem(texts, "long_tag", tag=tag)
    if spec.channel == "custom" and spec.audience == "all":
        raise AlertProblem(texts, "custom_to_all")
    try:
        parsed = schedules.parse(spec.schedule, now, tz)
    except schedules.ScheduleError:
        raise AlertProblem(texts, "bad_schedule", text=spec.schedule) from None
    if parsed.kind == "at" and parsed.at <= now:
        raise AlertProblem(texts, "past", at=parsed.at.strftime("%Y-%m-%d %H:%M"))
    return parsed


def _check_content(content: str, texts: AlertTexts) -> None:
    if not content.strip():
        raise AlertProblem(texts, "empty_content")
    if xml_safe(content) != content:
        raise AlertProblem(texts, "bad_characters")
    size = utf8_len(content)
    if size > CONTENT_LIMIT_BYTES:
        raise AlertProblem(texts, "long_content", size=size, limit=CONTENT_LIMIT_BYTES,
                           chars=CONTENT_LIMIT_BYTES // 3)


def create(db: Database, spec: AlertSpec, texts: AlertTexts, now: datetime, tz: ZoneInfo) -> int:
    """Store a checked alert as a draft; it is scheduled by `confirm` after a preview."""
    parsed = check(spec, texts, now, tz)
    fields = {"title": spec.title.strip(), "content": spec.content, "audience": spec.audience,
              "tags": spec.tags if spec.audience == "tags" else [], "channel": spec.channel,
              "status": "draft", "created_by": spec.created_by,
              **schedules.to_fields(parsed, schedules.first_run(parsed, now, tz))}
    return store.insert_alert(db, fields, to_db(now))


def get(db: Database, alert_id: int, texts: AlertTexts) -> dict:
    row = store.alert(db, alert_id)
    if row is None:
        raise AlertProblem(texts, "not_found", id=alert_id)
    return row


def preview(db: Database, api: WeChatAPI, alert_id: int, openid: str, texts: AlertTexts,
            now: datetime) -> None:
    """Send the draft to the operator's own OpenID (mass/preview) and remember what was previewed."""
    row = get(db, alert_id, texts)
    if row["status"] != "draft":
        raise AlertProblem(texts, "not_draft")
    api.preview_text(openid, row["content"])
    store.record_preview(db, alert_id, openid, content_hash(row["content"]), to_db(now))


def confirm(db: Database, alert_id: int, texts: AlertTexts, now: datetime, tz: ZoneInfo) -> dict:
    """Schedule a previewed draft; 'now' and recurring schedules count from this moment."""
    row = get(db, alert_id, texts)
    if row["status"] != "draft":
        raise AlertProblem(texts, "not_draft")
    if not row["preview_hash"]:
        raise AlertProblem(texts, "not_previewed")
    if row["preview_hash"] != content_hash(row["content"]):
        raise AlertProblem(texts, "changed_since_preview")
    first = _first_run_at_confirm(row, now, tz)
    if row["schedule_kind"] == "at" and first <= now:
        raise AlertProblem(texts, "past", at=first.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
    store.set_alert_status(db, alert_id, "scheduled", to_db(now), from_status=("draft",),
                           next_run_at=to_db(first))
    return get(db, alert_id, texts)


def _first_run_at_confirm(row: dict, now: datetime, tz: ZoneInfo) -> datetime:
    parsed = schedules.from_row(row, tz)
    if parsed.kind == "now":
        return now
    return schedules.first_run(parsed, now, tz)


def cancel(db: Database, alert_id: int, texts: AlertTexts, now: datetime) -> None:
    get(db, alert_id, texts)
    if not store.cancel_alert(db, alert_id, to_db(now)):
        raise AlertProblem(texts, "cannot_cancel")


# --- quotas ---------------------------------------------------------------------------

def quota_warnings(db: Database, row: dict, account_type: str, texts: AlertTexts, now: datetime,
                   tz: ZoneInfo) -> list[str]:
    """What the operator should know before confirming: WeChat's mass-send quotas, the 48-hour window."""
    if row["channel"] == "custom":
        return [texts.quota["custom_window"].format(count=len(eligible_custom(db, row, now)))]
    first = _first_run_at_confirm(row, now, tz) if row["status"] == "draft" else from_db(row["next_run_at"])
    if account_type == "subscription":
        return _subscription_warnings(db, row, first, texts, tz)
    return _service_warnings(db, row, first, texts, tz)


def _subscription_warnings(db: Database, row: dict, first: datetime, texts: AlertTexts,
                           tz: ZoneInfo) -> list[str]:
    warnings = []
    if row["schedule_kind"] == "daily":
        warnings.append(texts.quota["recurring_daily_subscription"])
    day_start = datetime.combine(first.astimezone(tz).date(), datetime.min.time(), tzinfo=tz)
    count = planned_mass_sends(db, day_start, day_start + timedelta(days=1), tz, exclude=row["id"])
    if count:
        warnings.append(texts.quota["subscription_day"].format(day=day_start.strftime("%Y-%m-%d"),
                                                               count=count))
    return warnings


def _service_warnings(db: Database, row: dict, first: datetime, texts: AlertTexts,
                      tz: ZoneInfo) -> list[str]:
    local = first.astimezone(tz)
    month_start = datetime(local.year, local.month, 1, tzinfo=tz)
    month_end = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=tz)
    others = planned_mass_sends(db, month_start, month_end, tz, exclude=row["id"])
    own = len(occurrences(schedules.from_row(row, tz), first, month_end, tz))
    warnings = []
    if row["schedule_kind"] in ("daily", "weekly") and own > SERVICE_MONTHLY_QUOTA:
        warnings.append(texts.quota["recurring_service"])
    if others + own > SERVICE_MONTHLY_QUOTA:
        warnings.append(texts.quota["service_month"].format(count=others))
    return warnings


def planned_mass_sends(db: Database, start: datetime, end: datetime, tz: ZoneInfo,
                       exclude: int | None = None) -> int:
    """Mass sends done or planned in [start, end): runs so far plus the scheduled alerts' firings."""
    done = store.mass_runs_between(db, to_db(start), to_db(end), exclude_alert=exclude)
    count = len(done)
    for other in store.scheduled_mass_alerts(db, exclude_alert=exclude):
        if other["next_run_at"]:
            upcoming = occurrences(schedules.from_row(other, tz), from_db(other["next_run_at"]), end, tz)
            count += sum(1 for moment in upcoming if moment >= start)
    return count


def occurrences(parsed: schedules.Schedule, first: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
    """The firings from `first` (inclusive) before `end`."""
    found, moment = [], first
    while moment is not None and moment < end:
        found.append(moment)
        moment = schedules.next_after(parsed, moment, tz)
    return found


def eligible_custom(db: Database, row: dict, now: datetime) -> list[str]:
    """Opted-in residents in the audience who wrote to the account in the last 48 hours."""
    audience = audience_openids(db, row)
    active = store.active_since(db, audience, to_db(now - WINDOW))
    return [openid for openid in audience if openid in active]


def audience_openids(db: Database, row: dict) -> list[str]:
    """The alert's audience from our own records, sorted: opted-in residents, or those with the tags."""
    if row["audience"] == "tags":
        return store.openids_with_tags(db, row["tags"])
    if row["audience"] == "opted_in":
        return store.opted_in_openids(db)
    return store.following_openids(db)
