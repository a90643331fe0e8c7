"""The campaign report and the awareness rate (知晓率) in the console, with inline SVG charts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, render_template, request

from bot import report as campaign
from bot.admin import NavItem, audit, register_page, role_required
from bot.admin.charts import line_chart, series_colors, stacked_bars
from bot.db import get_db
from bot.timeutil import LOCAL_TZ

bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports", template_folder="templates")
# Its own blueprint, so that the navigation bar marks one page at a time.
awareness_bp = Blueprint("admin_awareness", __name__, url_prefix="/admin/awareness")
REPORT_DAYS = 30
AWARENESS_DAYS = 365
MAX_DAYS = 366 * 3


def init_app(app) -> None:
    register_page(app, bp, NavItem("宣传统计", "admin_reports.index", order=60))
    register_page(app, awareness_bp, NavItem("知晓率", "admin_awareness.index", order=61))


def period(default_days: int) -> tuple[date, date, str]:
    """The dates asked for (?from=&to=), else the last default_days; and a problem to show, if any."""
    today = datetime.now(LOCAL_TZ).date()
    start, end = today - timedelta(days=default_days - 1), today
    try:
        start = date.fromisoformat(request.args.get("from") or str(start))
        end = date.fromisoformat(request.args.get("to") or str(end))
    except ValueError:
        return today - timedelta(days=default_days - 1), today, "日期格式应为 2026-11-01，已显示默认时间段。"
    if end < start or (end - start).days > MAX_DAYS:
        return today - timedelta(days=default_days - 1), today, "时间段不合理（结束早于开始，或超过三年），已显示默认时间段。"
    return start, end, ""


@bp.get("/")
@role_required("viewer")
def index():
    start, end, problem = period(REPORT_DAYS)
    figures = campaign.build(get_db(), start, end)
    labels = [day[5:] for day in figures.days]
    activity = {"紧急求助": figures.daily["urgent"], "举报登记": figures.daily["cases"],
                "完成测试": figures.daily["quiz"]}
    return render_template(
        "report_campaign.html", figures=figures, rows=campaign.rows(figures), problem=problem,
        consult_chart=stacked_bars(labels, {"咨询": figures.daily["consultations"]}, "每日咨询"),
        activity_chart=stacked_bars(labels, activity, "每日紧急求助、举报与测试"),
        activity_legend=list(series_colors(activity).items()))


@bp.get("/export")
@role_required("viewer")
def export():
    """The same report as the CLI's: Markdown or CSV."""
    start, end, _ = period(REPORT_DAYS)
    figures = campaign.build(get_db(), start, end)
    fmt = "csv" if request.args.get("format") == "csv" else "md"
    audit("report.export", f"report:{start}..{end}", after={"format": fmt})
    body = campaign.to_csv(figures) if fmt == "csv" else campaign.to_markdown(figures)
    mimetype = "text/csv" if fmt == "csv" else "text/markdown"
    name = f"report-{start}-{end}.{fmt}"
    return Response(("\ufeff" if fmt == "csv" else "") + body, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@awareness_bp.get("/", endpoint="index")
@role_required("viewer")
def awareness():
    start, end, problem = period(AWARENESS_DAYS)
    figures = campaign.build(get_db(), start, end)
    rates = {month: a.rate for month, a in figures.awareness_by_month}
    months = campaign.months_between(start, end)
    chart = line_chart(months, [rates.get(month) for month in months], "每月知晓率", percent=True)
    return render_template("report_awareness.html", figures=figures, problem=problem, chart=chart,
                           target=campaign.RESIDENT_TARGET, target_for=campaign.target_for,
                           percent=campaign.percent)
