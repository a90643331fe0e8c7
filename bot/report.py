"""The campaign report (宣传月 summary): the figures a district quotes, for a span of local dates.

`build()` reads the figures (SQL lives in bot.db.cases); everything else here is pure:
the awareness rate, the daily series for the chart, and the Markdown and CSV renderings.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from sqlite_utils import Database

from bot.db import cases
from bot.timeutil import LOCAL_TZ, from_db, to_db

# The district's targets: 70% of residents, 100% of finance staff.
RESIDENT_TARGET = 0.70
FINANCE_TARGET = 1.0
FINANCE_WORDS = ("财务", "财会", "金融", "银行", "会计", "出纳")


def target_for(tag: str) -> float:
    """The awareness target of a group: finance staff must all know, everyone else 70%."""
    return FINANCE_TARGET if any(word in tag for word in FINANCE_WORDS) else RESIDENT_TARGET


class ReportError(Exception):
    """The report cannot be made as asked (for example, the dates are the wrong way round)."""


@dataclass(frozen=True)
class Awareness:
    participants: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.participants if self.participants else None


@dataclass
class CampaignReport:
    date_from: date
    date_to: date
    consultations: dict[str, int]
    categories: list[tuple[str, int]]
    case_figures: dict[str, Any]
    alerts: dict[str, int] | None
    quiz_attempts: int
    awareness: Awareness
    awareness_by_group: list[tuple[str, Awareness]]
    awareness_by_month: list[tuple[str, Awareness]]
    blacklist_new: dict[str, int] | None
    daily: dict[str, list[int]] = field(default_factory=dict)
    days: list[str] = field(default_factory=list)


def utc_window(date_from: date, date_to: date) -> tuple[str, str]:
    """Local dates, both included, as the UTC [since, until) text the tables store."""
    if date_to < date_from:
        raise ReportError(f"the end date {date_to} is before the start date {date_from}")
    start = datetime.combine(date_from, time(), LOCAL_TZ)
    end = datetime.combine(date_to + timedelta(days=1), time(), LOCAL_TZ)
    return to_db(start), to_db(end)


def build(db: Database, date_from: date, date_to: date) -> CampaignReport:
    """Every figure of the report for the local dates date_from..date_to."""
    since, until = utc_window(date_from, date_to)
    results = cases.quiz_results_between(db, since, until)
    days = [str(date_from + timedelta(days=n)) for n in range((date_to - date_from).days + 1)]
    return CampaignReport(
        date_from=date_from, date_to=date_to,
        consultations=cases.consultation_counts(db, since, until),
        categories=cases.consultation_categories(db, since, until),
        case_figures=cases.case_figures(db, since, until),
        alerts=cases.alert_figures(db, since, until),
        quiz_attempts=len(results),
        awareness=awareness(results),
        awareness_by_group=awareness_by_group(results, cases.resident_groups(db)),
        awareness_by_month=awareness_by_month(results),
        blacklist_new=cases.new_blacklist_entries(db, since, until),
        daily={name: _series(cases.per_local_day(db, name, since, until, _offset()), days)
               for name in ("consultations", "urgent", "cases", "quiz")},
        days=days,
    )


def _offset() -> str:
    hours = datetime.now(LOCAL_TZ).utcoffset() / timedelta(hours=1)
    return f"{hours:+g} hours"


def _series(per_day: dict[str, int], days: list[str]) -> list[int]:
    return [per_day.get(day, 0) for day in days]


# --- the awareness rate (pure) ------------------------------------------------------------

def latest_per_resident(results: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each resident's latest result (results come oldest first)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in results:
        latest[row["openid"]] = row
    return latest


def awareness(results: Iterable[dict[str, Any]]) -> Awareness:
    """The share of residents whose latest quiz passed."""
    latest = latest_per_resident(results).values()
    return Awareness(len(latest), sum(1 for row in latest if row["passed"]))


def awareness_by_group(results: list[dict[str, Any]], groups: dict[str, list[str]]) -> list[tuple[str, Awareness]]:
    """The awareness rate per street or group tag; residents without one are left out."""
    by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in latest_per_resident(results).values():
        for tag in groups.get(row["openid"], []):
            by_tag[tag].append(row)
    return sorted(((tag, awareness(rows)) for tag, rows in by_tag.items()),
                  key=lambda item: (-item[1].participants, item[0]))


def awareness_by_month(results: list[dict[str, Any]]) -> list[tuple[str, Awareness]]:
    """The awareness rate per local month: residents' latest result within each month."""
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in results:
        by_month[from_db(row["finished_at"]).astimezone(LOCAL_TZ).strftime("%Y-%m")].append(row)
    return [(month, awareness(rows)) for month, rows in sorted(by_month.items())]


def months_between(start: date, end: date) -> list[str]:
    """Every month ("2026-11") from start's to end's, for a chart with a slot per month."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- renderings (pure) ------------------------------------------------------------------------

def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def yuan(amount: float) -> str:
    return f"{amount:.2f}"


def rows(report: CampaignReport) -> list[tuple[str, str, str]]:
    """(section, item, value): every figure once, in reading order; shared by Markdown and CSV."""
    c, k = report.consultations, report.case_figures
    out = [("咨询", "咨询消息数", str(c["messages"])), ("咨询", "咨询居民数", str(c["residents"])),
           ("咨询", "识别为诈骗的咨询", str(c["scams"])), ("咨询", "号码、链接、银行卡查询", str(c["checks"]))]
    out += [("咨询类别", category, str(count)) for category, count in report.categories]
    out += [("紧急情况", "紧急求助（钱已转出或正在转）", str(c["urgent"])),
            ("举报", "举报登记数", str(k["reported"])), ("举报", "有损失的举报", str(k["with_loss"])),
            ("举报", "报告损失金额（元）", yuan(k["loss_total"]))]
    out += _alert_rows(report.alerts)
    out += [("知晓率测试", "参与居民数", str(report.awareness.participants)),
            ("知晓率测试", "测试次数", str(report.quiz_attempts)),
            ("知晓率测试", "通过居民数", str(report.awareness.passed)),
            ("知晓率测试", f"知晓率（目标{RESIDENT_TARGET:.0%}）", percent(report.awareness.rate))]
    out += [("分组知晓率", tag, f"{percent(a.rate)}（{a.passed}/{a.participants}，目标{target_for(tag):.0%}）")
            for tag, a in report.awareness_by_group]
    out += _blacklist_rows(report.blacklist_new)
    return out


def _alert_rows(alerts: dict[str, int] | None) -> list[tuple[str, str, str]]:
    if alerts is None:
        return [("预警推送", "预警推送", "暂无数据")]
    return [("预警推送", "发送次数", str(alerts["sent"])), ("预警推送", "送达人次", str(alerts["reach"]))]


def _blacklist_rows(entries: dict[str, int] | None) -> list[tuple[str, str, str]]:
    if entries is None:
        return [("黑名单", "新增条目", "暂无数据")]
    rows_ = [("黑名单", "新增条目", str(sum(entries.values())))]
    return rows_ + [("黑名单", f"新增：{BLACKLIST_KIND_LABELS.get(kind, kind)}", str(n))
                    for kind, n in entries.items()]


BLACKLIST_KIND_LABELS = {"phone": "电话", "url": "链接", "domain": "域名", "card": "银行卡", "account": "账号"}


def to_markdown(report: CampaignReport) -> str:
    lines = [f"# 反诈宣传工作统计（{report.date_from} 至 {report.date_to}）", ""]
    section = None
    for name, item, value in rows(report):
        if name != section:
            lines += ["", f"## {name}", "", "| 项目 | 数值 |", "| --- | --- |"]
            section = name
        lines.append(f"| {_cell(item)} | {_cell(value)} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_csv(report: CampaignReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period_from", "period_to", "section", "item", "value"])
    for name, item, value in rows(report):
        writer.writerow([report.date_from, report.date_to, name, item, value])
    return buffer.getvalue()
