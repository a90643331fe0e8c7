"""Console pages for alert broadcasts: list, create, preview on your own WeChat, confirm, cancel,
and each run's results with WeChat's errors explained in Chinese. Managing needs the admin role."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from bot.admin import NavItem, audit, login_required, register_page, role_required
from bot.alerts import service
from bot.alerts.knowledge import AlertTexts
from bot.alerts.knowledge import cached as cached_texts
from bot.alerts.schedule import from_row
from bot.alerts.service import AlertProblem, AlertSpec
from bot.db import alerts as alerts_store
from bot.db import get_db
from bot.wechat.api import WeChatAPI, WeChatError

bp = Blueprint("alerts_console", __name__, url_prefix="/admin/alerts", template_folder="templates")
PREVIEW_KEY = "alerts_preview_openid"


def init_app(app) -> None:
    register_page(app, bp, NavItem("预警推送", "alerts_console.index", role="viewer", order=60))


def _config() -> dict:
    return current_app.config["FANZHA"]


def _texts() -> AlertTexts:
    return cached_texts(_config()["knowledge"]["path"])


def _tz() -> ZoneInfo:
    return ZoneInfo(_config()["alerts"]["timezone"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _who() -> str:
    from bot.admin import current_operator

    operator = current_operator()
    return operator["name"] if operator else ""


@bp.get("/")
@login_required
def index():
    return _render_index(form={}, error=None)


def _render_index(form: dict, error: str | None, status: int = 200):
    db = get_db()
    rows = alerts_store.alerts(db)
    for row in rows:
        row["schedule_text"] = from_row(row, _tz()).describe()
    return render_template("alerts_index.html", rows=rows, texts=_texts(), form=form, error=error,
                           account=_config()["wechat"]["account_type"],
                           subscriptions=alerts_store.subscription_counts(db),
                           tag_sync=alerts_store.tag_sync_counts(db), tags=alerts_store.known_tags(db)), status


@bp.post("/")
@role_required("admin")
def create():
    form = request.form
    spec = AlertSpec(title=form.get("title", ""), content=form.get("content", "").strip(),
                     audience=form.get("audience", "opted_in"), tags=_tags(form.get("tags", "")),
                     channel=form.get("channel", "mass"), schedule=form.get("schedule", "now"),
                     created_by=_who())
    if spec.audience not in ("all", "tags", "opted_in") or spec.channel not in ("mass", "custom"):
        return _render_index(dict(form), "请选择有效的接收范围和发送方式。", 400)
    try:
        alert_id = service.create(get_db(), spec, _texts(), _now(), _tz())
    except AlertProblem as problem:
        return _render_index(dict(form), problem.message, 400)
    audit("alert.create", f"alert:{alert_id}", after=_snapshot(alert_id))
    flash("预警已保存为草稿。请先预览到您自己的微信，确认无误后再排期。")
    return redirect(url_for("alerts_console.show", alert_id=alert_id))


def _tags(raw: str) -> list[str]:
    return [tag for tag in (part.strip() for part in raw.replace("，", ",").replace("、", ",").split(",")) if tag]


def _snapshot(alert_id: int) -> dict | None:
    row = alerts_store.alert(get_db(), alert_id)
    if row is None:
        return None
    keys = ("title", "content", "audience", "tags", "channel", "schedule_kind", "schedule_at", "schedule_time",
            "schedule_weekday", "next_run_at", "status", "preview_openid")
    return {key: row[key] for key in keys}


@bp.get("/<int:alert_id>")
@login_required
def show(alert_id: int):
    db, texts = get_db(), _texts()
    try:
        row = service.get(db, alert_id, texts)
    except AlertProblem as problem:
        return render_template("alerts_show.html", missing=problem.message, texts=texts), 404
    warnings = []
    if row["status"] == "draft":
        warnings = service.quota_warnings(db, row, _config()["wechat"]["account_type"], texts, _now(), _tz())
    return render_template("alerts_show.html", row=row, texts=texts, runs=_runs(row), warnings=warnings,
                           schedule_text=from_row(row, _tz()).describe(), missing=None,
                           preview_openid=session.get(PREVIEW_KEY, ""),
                           preview_current=row["preview_hash"] == service.content_hash(row["content"]),
                           account=_config()["wechat"]["account_type"])


def _runs(row: dict) -> list[dict]:
    db = get_db()
    runs = alerts_store.runs_for_alert(db, row["id"])
    for run in runs:
        run["batches"] = alerts_store.batches(db, run["id"])
        run["counts"] = alerts_store.delivery_counts(db, run["id"]) if run["channel"] == "custom" else {}
        run["failures"] = alerts_store.failed_deliveries(db, run["id"], limit=50)
    return runs


@bp.post("/<int:alert_id>/preview")
@role_required("admin")
def preview(alert_id: int):
    openid = request.form.get("openid", "").strip()[:64]
    if not openid:
        flash("请填写您自己的 OpenID。", "error")
        return redirect(url_for("alerts_console.show", alert_id=alert_id))
    session[PREVIEW_KEY] = openid
    db, texts = get_db(), _texts()
    try:
        service.preview(db, WeChatAPI(_config(), db), alert_id, openid, texts, _now())
    except AlertProblem as problem:
        flash(problem.message, "error")
    except WeChatError as error:
        flash(f"预览发送失败（{error.errcode}）：{texts.explain(error.errcode)}", "error")
    else:
        audit("alert.preview", f"alert:{alert_id}", after={"openid": openid})
        flash("预览已发到您的微信，请在手机上查看，确认无误后再点“确认排期”。")
    return redirect(url_for("alerts_console.show", alert_id=alert_id))


@bp.post("/<int:alert_id>/confirm")
@role_required("admin")
def confirm(alert_id: int):
    db, texts = get_db(), _texts()
    try:
        row = service.get(db, alert_id, texts)
        warnings = service.quota_warnings(db, row, _config()["wechat"]["account_type"], texts, _now(), _tz())
        if warnings and row["channel"] == "mass" and request.form.get("acknowledge") != "yes":
            flash("请先勾选“我已了解上述配额提醒”。", "error")
            return redirect(url_for("alerts_console.show", alert_id=alert_id))
        before = _snapshot(alert_id)
        service.confirm(db, alert_id, texts, _now(), _tz())
    except AlertProblem as problem:
        flash(problem.message, "error")
        return redirect(url_for("alerts_console.show", alert_id=alert_id))
    audit("alert.confirm", f"alert:{alert_id}", before=before, after=_snapshot(alert_id))
    flash("已排期，发送进程会按时发出。")
    return redirect(url_for("alerts_console.show", alert_id=alert_id))


@bp.post("/<int:alert_id>/cancel")
@role_required("admin")
def cancel(alert_id: int):
    before = _snapshot(alert_id)
    try:
        service.cancel(get_db(), alert_id, _texts(), _now())
    except AlertProblem as problem:
        flash(problem.message, "error")
    else:
        audit("alert.cancel", f"alert:{alert_id}", before=before, after=_snapshot(alert_id))
        flash("预警已取消。")
    return redirect(url_for("alerts_console.show", alert_id=alert_id))
