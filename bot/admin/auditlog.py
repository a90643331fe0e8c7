"""The audit log page: every change, who made it, when, and what it was before and after."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request

from bot.admin.auth import found_or_404
from bot.admin import NavItem, register_page, role_required
from bot.db import console as console_db
from bot.db import get_db

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50


def init_app(app) -> None:
    register_page(app, bp, NavItem("操作记录", "admin_audit.index", role="viewer", order=90))


@bp.get("/")
@role_required("viewer")
def index():
    query = request.args.get("q", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    rows = console_db.audit_entries(get_db(), query, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render_template("admin/audit.html", rows=rows[:PAGE_SIZE], q=query, page=page,
                           has_more=len(rows) > PAGE_SIZE)


@bp.get("/<int:audit_id>")
@role_required("viewer")
def show(audit_id: int):
    row = found_or_404(console_db.audit_entry(get_db(), audit_id))
    return render_template("admin/audit_show.html", row=row, before=pretty(row["before"]),
                           after=pretty(row["after"]))


def pretty(value: Any) -> str:
    """A snapshot as indented JSON for display ('' when there was none)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
