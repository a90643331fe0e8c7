"""The console's own blueprint: login, logout and the home page (the dashboard)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from bot.admin import NavItem, register_page
from bot.admin.auth import authenticate, current_operator, end_session, login_required, start_session
from bot.admin.csrf import rotate_token
from bot.db import console as console_db
from bot.db import get_db
from bot.timeutil import now_text

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
# Beyond this many failures from one address (any names), the address is locked out too.
IP_FAILURE_FACTOR = 4


def init_app(app) -> None:
    register_page(app, bp, NavItem("数据看板", "admin.index", order=10))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The only console page open to anonymous visitors."""
    if request.method == "GET":
        if current_operator() is not None:
            return redirect(url_for("admin.index"))
        return render_template("admin/login.html", expired=session.pop("expired", False), name="")
    name = request.form.get("name", "").strip()[:64]
    wait = _lockout_minutes_left(name, _client_ip())
    if wait:
        return render_template("admin/login.html", error=f"登录失败次数过多，请 {wait} 分钟后再试。",
                               name=name), 429
    operator = authenticate(get_db(), name, request.form.get("password", ""))
    console_db.record_login_attempt(get_db(), name, _client_ip(), time.time(), operator is not None)
    if operator is None:
        return render_template("admin/login.html", error="用户名或密码不正确。", name=name), 401
    start_session(operator)
    rotate_token()
    console_db.note_login(get_db(), operator["id"], now_text())
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    end_session()
    flash("您已退出登录。")
    return redirect(url_for("admin.login"))


@bp.get("/")
@login_required
def index():
    from bot.admin.dashboard import dashboard_context

    return render_template("admin/dashboard.html", **dashboard_context(get_db()))


def _lockout_minutes_left(name: str, ip: str) -> int:
    """Minutes until this name or address may try again (0 when not locked out)."""
    console = current_app.config["FANZHA"]["console"]
    window = console["lockout_minutes"] * 60
    now = time.time()
    db = get_db()
    latest = []
    for column, value, limit in (("name", name, console["max_failed_logins"]),
                                 ("ip", ip, console["max_failed_logins"] * IP_FAILURE_FACTOR)):
        count, last = console_db.recent_failures(db, column, value, now - window)
        if count >= limit and last is not None:
            latest.append(last)
    if not latest:
        return 0
    return max(1, int((max(latest) + window - now + 59) // 60))


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _safe_next(target: str | None) -> str:
    """Only redirect to a console path on this site after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/admin") and "\\" not in target:
            return target
    return url_for("admin.index")
