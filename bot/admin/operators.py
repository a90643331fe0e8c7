"""Admins manage operators: create, change role, reset password, disable and enable."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.admin.auth import found_or_404
from bot.admin import NavItem, audit, current_operator, register_page, role_required
from bot.admin.auth import ROLE_RANK, OperatorError, check_password_rules, create_operator, hash_password
from bot.db import console as console_db
from bot.db import get_db
from bot.timeutil import now_text

bp = Blueprint("admin_operators", __name__, url_prefix="/admin/operators")


def init_app(app) -> None:
    register_page(app, bp, NavItem("操作员", "admin_operators.index", role="admin", order=80))


@bp.get("/")
@role_required("admin")
def index():
    return render_template("admin/operators.html", operators=console_db.list_operators(get_db()),
                           roles=list(ROLE_RANK), form={}, error=None)


@bp.post("/")
@role_required("admin")
def create():
    form = {key: request.form.get(key, "") for key in ("name", "role")}
    db = get_db()
    try:
        operator_id = create_operator(db, form["name"], request.form.get("password", ""), form["role"])
    except OperatorError as error:
        return render_template("admin/operators.html", operators=console_db.list_operators(db),
                               roles=list(ROLE_RANK), form=form, error=str(error)), 400
    audit("operator.create", f"operator:{form['name'].strip()}", None, _public(db, operator_id))
    flash(f"已创建操作员 {form['name'].strip()}。")
    return redirect(url_for("admin_operators.index"))


@bp.post("/<int:operator_id>")
@role_required("admin")
def update(operator_id: int):
    """Change one operator's role, active flag or password."""
    db = get_db()
    before = found_or_404(_public(db, operator_id))
    try:
        changes = _changes(before)
    except OperatorError as error:
        flash(str(error), "error")
        return redirect(url_for("admin_operators.index"))
    console_db.update_operator(db, operator_id, now_text(), **changes)
    after = _public(db, operator_id)
    audit("operator.update", f"operator:{before['name']}", before,
          {**after, "password": "已重置"} if "password_hash" in changes else after)
    flash(f"已更新操作员 {before['name']}。")
    return redirect(url_for("admin_operators.index"))


def _changes(before: dict) -> dict:
    """The requested changes, refusing any that would leave the console without an active admin."""
    changes: dict = {}
    role = request.form.get("role")
    if role:
        if role not in ROLE_RANK:
            raise OperatorError("未知角色")
        changes["role"] = role
    if "active" in request.form:
        changes["active"] = 1 if request.form["active"] == "1" else 0
    password = request.form.get("password", "")
    if password:
        check_password_rules(password)
        changes["password_hash"] = hash_password(password)
    loses_admin = before["role"] == "admin" and before["active"] and (
        changes.get("role", "admin") != "admin" or changes.get("active", 1) == 0)
    if loses_admin and console_db.count_active_admins(get_db()) <= 1:
        raise OperatorError("至少需要保留一名启用的管理员。")
    if before["id"] == current_operator()["id"] and changes.get("active") == 0:
        raise OperatorError("不能停用自己的账号。")
    return changes


def _public(db, operator_id: int) -> dict | None:
    """An operator without the password hash, as shown and audited."""
    operator = console_db.operator_by_id(db, operator_id)
    if operator is None:
        return None
    return {key: operator[key] for key in ("id", "name", "role", "active")}
