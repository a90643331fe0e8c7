"""Alert schedules: now, once at a time, daily or weekly, in the district's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.timeutil import to_db

WEEKDAYS = {
    "monday": 0, "mon": 0, "周一": 0, "星期一": 0, "tuesday": 1, "tue": 1, "周二": 1, "星期二": 1,
    "wednesday": 2, "wed": 2, "周三": 2, "星期三": 2, "thursday": 3, "thu": 3, "周四": 3, "星期四": 3,
    "friday": 4, "fri": 4, "周五": 4, "星期五": 4, "saturday": 5, "sat": 5, "周六": 5, "星期六": 5,
    "sunday": 6, "sun": 6, "周日": 6, "星期日": 6, "周天": 6, "星期天": 6,
}
WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
_CLOCK = r"(\d{1,2}):(\d{2})"
_DAILY = re.compile(rf"^(?:every\s*day|daily|每天|每日)\s*(?:at\s*)?{_CLOCK}$", re.IGNORECASE)
_WEEKLY = re.compile(rf"^(?:every\s*)?(\w+?)\s*(?:at\s*)?{_CLOCK}$", re.IGNORECASE)
_WEEKLY_ZH = re.compile(rf"^每(周[一二三四五六日天]|星期[一二三四五六日天])\s*{_CLOCK}$")


class ScheduleError(ValueError):
    """A schedule we cannot read; the message says what was expected."""


@dataclass(frozen=True)
class Schedule:
    kind: str                       # now | at | daily | weekly
    at: datetime | None = None      # aware, for 'now' and 'at'
    clock: str | None = None        # "HH:MM" local, for daily and weekly
    weekday: int | None = None      # 0 = Monday, for weekly

    def describe(self) -> str:
        """How an operator reads it, in Chinese."""
        if self.kind == "now":
            return "立即发送"
        if self.kind == "at":
            return "定时 " + self.at.strftime("%Y-%m-%d %H:%M")
        if self.kind == "daily":
            return f"每天 {self.clock}"
        return f"每{WEEKDAY_NAMES[self.weekday]} {self.clock}"


def parse(text: str, now: datetime, tz: ZoneInfo) -> Schedule:
    """Read 'now', 'YYYY-MM-DD HH:MM' (local), 'daily 09:00', 'every Monday 09:00', '每周一 09:00'."""
    cleaned = " ".join(text.strip().split())
    if cleaned.lower() in ("now", "立即", "马上", ""):
        return Schedule("now", at=now)
    if match := _DAILY.match(cleaned):
        return Schedule("daily", clock=_clock(*match.groups()))
    if match := _WEEKLY_ZH.match(cleaned):
        return Schedule("weekly", clock=_clock(*match.groups()[1:]), weekday=WEEKDAYS[match.group(1)])
    if (match := _WEEKLY.match(cleaned)) and match.group(1).lower() in WEEKDAYS:
        return Schedule("weekly", clock=_clock(*match.groups()[1:]), weekday=WEEKDAYS[match.group(1).lower()])
    return Schedule("at", at=_local_datetime(cleaned, tz))


def _clock(hour: str, minute: str) -> str:
    if not (0 <= int(hour) <= 23 and 0 <= int(minute) <= 59):
        raise ScheduleError(f"not a time of day: {hour}:{minute}")
    return f"{int(hour):02d}:{int(minute):02d}"


def _local_datetime(text: str, tz: ZoneInfo) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ScheduleError(f"cannot read schedule {text!r}: use now, 'YYYY-MM-DD HH:MM', "
                        "'daily HH:MM' or 'every Monday HH:MM'")


def first_run(schedule: Schedule, now: datetime, tz: ZoneInfo) -> datetime:
    """When the schedule first fires, at or after now."""
    if schedule.kind in ("now", "at"):
        return schedule.at
    return next_after(schedule, now - timedelta(microseconds=1), tz)


def next_after(schedule: Schedule, moment: datetime, tz: ZoneInfo) -> datetime | None:
    """The first firing strictly after `moment`; None for one-off schedules."""
    if schedule.kind in ("now", "at"):
        return None
    local = moment.astimezone(tz)
    hour, minute = map(int, schedule.clock.split(":"))
    day = local.date()
    for offset in range(0, 9):
        candidate_day = day + timedelta(days=offset)
        if schedule.kind == "weekly" and candidate_day.weekday() != schedule.weekday:
            continue
        candidate = datetime.combine(candidate_day, time(hour, minute), tzinfo=tz)
        if candidate > local:
            return candidate.astimezone(timezone.utc)
    raise AssertionError("a daily or weekly schedule always fires within 8 days")


def latest_due(schedule: Schedule, scheduled: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """After downtime, the last firing not later than now: missed older ones are not all sent."""
    latest = scheduled
    while (following := next_after(schedule, latest, tz)) is not None and following <= now:
        latest = following
    return latest


def from_row(row: dict, tz: ZoneInfo) -> Schedule:
    """The schedule stored on an alert row."""
    from bot.timeutil import from_db

    at = from_db(row["schedule_at"]) if row.get("schedule_at") else None
    return Schedule(row["schedule_kind"], at=at, clock=row.get("schedule_time"),
                    weekday=row.get("schedule_weekday"))


def to_fields(schedule: Schedule, first: datetime) -> dict:
    """The columns an alert row stores for this schedule."""
    return {"schedule_kind": schedule.kind, "schedule_at": to_db(schedule.at) if schedule.at else None,
            "schedule_time": schedule.clock, "schedule_weekday": schedule.weekday,
            "next_run_at": to_db(first)}
