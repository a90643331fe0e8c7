"""The dashboard's figures: messages per day, categories over time, rising categories, urgency, gaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.admin import charts
from bot.db import console as console_db
from bot.timeutil import LOCAL_TZ, to_db, utc_now

DAYS = 30
TOP_CATEGORIES = 6
OTHER = "其他"


def local_days(today: date, count: int) -> list[str]:
    """The last `count` local dates up to today, oldest first, as YYYY-MM-DD."""
    return [(today - timedelta(days=count - 1 - i)).isoformat() for i in range(count)]


def local_midnight_utc(day: date) -> str:
    """Local midnight of `day` as the UTC text stored in the database."""
    return to_db(datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ))


def dashboard_context(db, now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard template shows, charts included."""
    today = (now or utc_now()).astimezone(LOCAL_TZ).date()
    days = local_days(today, DAYS)
    since = local_midnight_utc(today - timedelta(days=DAYS - 1))
    per_day = {row["day"]: row for row in console_db.messages_per_day(db, since)}
    totals = [per_day.get(d, {}).get("total", 0) for d in days]
    unrecognised = [per_day.get(d, {}).get("unrecognised", 0) for d in days]
    rising = rising_categories(db, today)
    short = [d[5:] for d in days]
    return {
        "totals": {"messages": sum(totals), "scams": sum(per_day.get(d, {}).get("scams", 0) or 0 for d in days),
                   "urgent": sum(per_day.get(d, {}).get("urgent", 0) or 0 for d in days),
                   "unrecognised_rate": _rate(sum(unrecognised), sum(totals))},
        "messages_chart": charts.stacked_bars(short, {"消息数": totals}, "每日消息数"),
        "categories_chart": _categories_chart(db, since, days),
        "unrecognised_chart": charts.line_chart(
            short, [_rate(u, t) if t else None for u, t in zip(unrecognised, totals)],
            "每日未识别比例", percent=True),
        "urgent_chart": charts.stacked_bars(
            short, {"紧急": [per_day.get(d, {}).get("urgent", 0) or 0 for d in days]}, "每日紧急求助",
            {"紧急": charts.PALETTE[1]}),
        "rising": rising,
        "rising_chart": charts.rising_bars(rising, "本周与上周对比") if rising else None,
        "urgent_recent": console_db.urgent_messages(db, local_midnight_utc(today - timedelta(days=6))),
        "days": DAYS,
    }


def _categories_chart(db, since: str, days: list[str]) -> dict[str, Any]:
    """Stacked bars of the top categories per day, the rest folded into 其他."""
    counts: dict[str, dict[str, int]] = {}
    for row in console_db.categories_per_day(db, since):
        counts.setdefault(row["category"], {})[row["day"]] = row["n"]
    ranked = sorted(counts, key=lambda c: -sum(counts[c].values()))
    series = {c: [counts[c].get(d, 0) for d in days] for c in ranked[:TOP_CATEGORIES]}
    rest = ranked[TOP_CATEGORIES:]
    if rest:
        series[OTHER] = [sum(counts[c].get(d, 0) for c in rest) for d in days]
    colors = charts.series_colors(series)
    return {"svg": charts.stacked_bars([d[5:] for d in days], series, "诈骗类型趋势", colors),
            "legend": list(colors.items())}


def rising_categories(db, today: date, limit: int = 8) -> list[tuple[str, int, int]]:
    """Categories by growth over the last 7 days against the 7 before: (name, this week, last week)."""
    this_start = local_midnight_utc(today - timedelta(days=6))
    last_start = local_midnight_utc(today - timedelta(days=13))
    end = local_midnight_utc(today + timedelta(days=1))
    now = console_db.category_counts(db, this_start, end)
    before = console_db.category_counts(db, last_start, this_start)
    rows = [(name, now.get(name, 0), before.get(name, 0)) for name in set(now) | set(before)]
    rows.sort(key=lambda row: (-(row[1] - row[2]), -row[1], row[0]))
    return rows[:limit]


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
