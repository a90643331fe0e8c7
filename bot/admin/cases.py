"""The case queue: reports residents made, moved new → contacted → closed, with notes and CSV.

An editor can put a report's numbers, cards, accounts and links on the blacklist in one step.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from bot.admin.auth import found_or_404
from bot.admin import NavItem, audit, current_operator, register_page, role_required
from bot.db import cases as cases_db
from bot.db import console as console_db
from bot.db import get_db
from bot.timeutil import local_text, now_text

bp = Blueprint("admin_cases", __name__, url_prefix="/admin/cases", template_folder="templates")
STATUS_LABELS = {"new": "新登记", "contacted": "已联系", "closed": "已结案"}
CSV_COLUMNS = [("ref", "编号"), ("created_at", "登记时间"), ("status", "状态"), ("what", "经过"),
               ("happened", "发生时间"), ("contact_method", "联系方式"), ("lost", "是否损失"),
               ("loss_amount", "损失金额（元）"), ("loss_text", "损失说明"), ("phones", "对方电话"),
               ("cards", "对方银行卡"), ("accounts", "对方账号"), ("links", "链接"),
               ("callback_phone", "居民联系电话"), ("openid", "居民 openid")]
ACCOUNT_LABELS = {"qq": "QQ", "wechat": "微信"}


def init_app(app) -> None:
    register_page(app, bp, NavItem("举报案件", "admin_cases.index", order=30))


@bp.get("/")
@role_required("viewer")
def index():
    status = request.args.get("status", "new")
    status = status if status in STATUS_LABELS or status == "all" else "new"
    query = request.args.get("q", "").strip()
    db = get_db()
    rows = cases_db.cases(db, "" if status == "all" else status, query)
    return render_template("cases_queue.html", rows=rows, status=status, q=query,
                           counts=cases_db.status_counts(db), labels=STATUS_LABELS)


@bp.get("/<int:case_id>")
@role_required("viewer")
def show(case_id: int):
    db = get_db()
    case = _case_or_404(case_id)
    return render_template("cases_show.html", case=case, notes=cases_db.case_notes(db, case_id),
                           labels=STATUS_LABELS, candidates=blacklist_candidates(case),
                           listed=_already_listed(db, case))


@bp.post("/<int:case_id>/status")
@role_required("editor")
def set_status(case_id: int):
    case = _case_or_404(case_id)
    status = request.form.get("status", "")
    if status not in STATUS_LABELS:
        abort(400)
    if status != case["status"]:
        cases_db.set_case_status(get_db(), case_id, status, _who(), now_text())
        audit("case.status", f"case:{case['ref']}", before=case["status"], after=status)
        flash(f"已改为“{STATUS_LABELS[status]}”")
    return redirect(url_for("admin_cases.show", case_id=case_id))


@bp.post("/<int:case_id>/note")
@role_required("editor")
def add_note(case_id: int):
    case = _case_or_404(case_id)
    text = request.form.get("text", "").strip()[:2000]
    if not text:
        flash("备注不能为空", "error")
    else:
        cases_db.add_case_note(get_db(), case_id, _who(), "note", text, now_text())
        audit("case.note", f"case:{case['ref']}", after=text)
        flash("备注已添加")
    return redirect(url_for("admin_cases.show", case_id=case_id))


@bp.post("/<int:case_id>/blacklist")
@role_required("editor")
def add_to_blacklist(case_id: int):
    """Put the chosen numbers, cards, accounts and links of one report on the blacklist."""
    db = get_db()
    case = _case_or_404(case_id)
    offered = {f"{kind}|{value}": (kind, value, label) for kind, value, label in blacklist_candidates(case)}
    chosen = [offered[key] for key in request.form.getlist("item") if key in offered]
    if not chosen:
        flash("请至少选择一项", "error")
        return redirect(url_for("admin_cases.show", case_id=case_id))
    now, who = now_text(), _who()
    for kind, value, label in chosen:
        console_db.upsert_blacklist(db, kind, value, f"举报 {case['ref']}", label, now, who)
        audit("blacklist.add", f"{kind}:{value}", after={"source": case["ref"], "note": label})
    summary = "、".join(value for _, value, _ in chosen)
    cases_db.add_case_note(db, case_id, who, "blacklist", summary, now)
    flash(f"已加入黑名单：{summary}")
    return redirect(url_for("admin_cases.show", case_id=case_id))


@bp.get("/export.csv")
@role_required("editor")
def export_csv():
    """Every case (or one status) as CSV for the desk's spreadsheet; UTF-8 with BOM for Excel."""
    status = request.args.get("status", "all")
    rows = cases_db.cases(get_db(), "" if status not in STATUS_LABELS else status, limit=100_000)
    audit("case.export", f"cases:{status}", after={"rows": len(rows)})
    return Response("\ufeff" + cases_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=cases.csv"})


def cases_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for _, label in CSV_COLUMNS])
    for row in rows:
        writer.writerow([_csv_value(key, row.get(key)) for key, _ in CSV_COLUMNS])
    return buffer.getvalue()


def _csv_value(key: str, value) -> str:
    if key == "created_at":
        return local_text(value)
    if key == "status":
        return STATUS_LABELS.get(value, value)
    if key == "lost":
        return {1: "是", 0: "否"}.get(value, "未说明")
    text = "；".join(value) if isinstance(value, list) else "" if value is None else str(value)
    # Keep spreadsheet programs from running resident text as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def blacklist_candidates(case: dict) -> list[tuple[str, str, str]]:
    """(blacklist kind, value, label) for every number, card, account and link in a report."""
    items = [("phone", value, "电话") for value in case["phones"]]
    items += [("card", value, "银行卡") for value in case["cards"]]
    for account in case["accounts"]:
        kind, _, value = account.rpartition(":")
        items.append(("account", value, ACCOUNT_LABELS.get(kind, "账号")))
    items += [("url", value, "链接") for value in case["links"]]
    return items


def _already_listed(db, case: dict) -> set[str]:
    return {f"{kind}|{value}" for kind, value, _ in blacklist_candidates(case)
            if console_db.blacklist_find(db, kind, value)}


def _case_or_404(case_id: int) -> dict:
    return found_or_404(cases_db.case(get_db(), case_id))


def _who() -> str:
    operator = current_operator()
    return operator["name"] if operator else "(anonymous)"
