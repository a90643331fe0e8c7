"""The operators' console under /admin: server-rendered Chinese pages behind a login.

How another feature adds a console page
---------------------------------------
1. Write its own module, e.g. ``bot/alerts_console.py`` (or ``bot/admin/alerts.py`` if you own it),
   with its own blueprint under ``/admin/...`` and its templates in its own folder::

       from flask import Blueprint, render_template
       from bot.admin import NavItem, audit, login_required, register_page, role_required

       bp = Blueprint("alerts_console", __name__, url_prefix="/admin/alerts",
                      template_folder="templates")

       @bp.get("/")
       @login_required                       # every viewer may read
       def index():
           return render_template("alerts_console/index.html")

       @bp.post("/<int:alert_id>/cancel")
       @role_required("admin")               # viewer < editor < admin
       def cancel(alert_id):
           ...                               # make the change, then:
           audit("alert.cancel", f"alert:{alert_id}", before=old, after=new)
           ...

       def init_app(app):
           register_page(app, bp, NavItem("预警推送", "alerts_console.index", role="admin", order=50))

2. Call your ``init_app(app)`` from ``bot/__init__.py`` ``_register_blueprints`` after the console's.
3. Templates extend the console's base and fill ``content`` (and optionally ``title``)::

       {% extends "admin/base.html" %}
       {% block title %}预警推送{% endblock %}
       {% block content %}
         <form method="post">{{ csrf_field() }} ... </form>
       {% endblock %}

   ``csrf_field()`` is required in every POST form: the console refuses unsafe requests without it.
   ``operator`` (the logged-in operator dict) and ``can("editor")`` are available in templates.
   Jinja autoescapes; never mark resident or knowledge text ``|safe``.
   Useful CSS classes in base.html: ``card``, ``table``, ``btn``, ``btn primary``, ``btn danger``,
   ``form-row``, ``error``, ``muted``, ``badge``, ``grid`` (responsive columns), ``flash``.
   The ``localtime`` filter shows stored UTC text in Beijing time; ``bot.admin.charts`` draws
   inline SVG charts (stacked_bars, line_chart, rising_bars) that need no JavaScript.
4. NavItem.order places the link: the console uses 10 dashboard, 20 inbox, 30-35 knowledge base,
   40 texts, 50 blacklist, 80 operators, 90 audit log. The link shows only to operators whose role
   is at least NavItem.role.

Every path under /admin requires a logged-in operator (an app-wide guard, in addition to the
decorators), every POST needs the CSRF token, and responses forbid scripts and framing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from bot.admin.audit import audit
from bot.admin.auth import (ROLE_LABELS, current_operator, guard_console, login_required,
                            role_at_least, role_required)
from bot.admin.csrf import FIELD as CSRF_FIELD
from bot.admin.csrf import check_csrf, csrf_token
from bot.timeutil import local_text

__all__ = ["NavItem", "register_page", "login_required", "role_required", "audit",
           "current_operator", "init_app"]

NAV_KEY = "fanzha.admin.nav"
# The console's own page modules; each has init_app(app) that calls register_page.
OWN_PAGES = ["bot.admin.views", "bot.admin.inbox", "bot.admin.kb", "bot.admin.kbtexts", "bot.admin.blacklist",
             "bot.admin.operators", "bot.admin.auditlog"]
RISK_LABELS = {"high": "高", "medium": "中", "low": "低（不确定）", "none": "无"}
ERROR_MESSAGES = {
    400: "请求有误，请返回上一页重试。",
    403: "您的角色没有权限进行这个操作。如需权限，请联系管理员。",
    404: "没有找到这个页面或条目，它可能已被删除。",
    405: "不支持这种操作方式。",
}
SECURITY_HEADERS = {
    # No scripts at all: the console is plain HTML forms and inline SVG charts.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class NavItem:
    """One link in the console's navigation bar, shown to operators with at least `role`."""
    label: str
    endpoint: str
    role: str = "viewer"
    order: int = 100


def register_page(app: Flask, blueprint: Blueprint, *items: NavItem) -> None:
    """Register a console blueprint and add its links to the navigation bar."""
    app.register_blueprint(blueprint)
    app.extensions.setdefault(NAV_KEY, []).extend(items)


def nav_items() -> list[NavItem]:
    """The links the current operator may see, in order."""
    operator = current_operator()
    items = current_app.extensions.get(NAV_KEY, [])
    # A link to an endpoint that does not exist is skipped, so one bad registration cannot break every page.
    return sorted((item for item in items
                   if item.endpoint in current_app.view_functions and role_at_least(operator, item.role)),
                  key=lambda item: (item.order, item.label))


def active_nav(items: list[NavItem]) -> NavItem | None:
    """The link for the current page: an exact endpoint match, else the first link of its blueprint."""
    exact = [item for item in items if item.endpoint == request.endpoint]
    if exact:
        return exact[0]
    blueprint = request.blueprint
    same = [item for item in items if blueprint and blueprint != "admin" and item.endpoint.startswith(blueprint + ".")]
    return same[0] if same else None


def console_nav() -> list[tuple[NavItem, bool]]:
    """The navigation bar: each visible link and whether it is the current page's."""
    items = nav_items()
    current = active_nav(items)
    return [(item, item == current) for item in items]


def init_app(app: Flask) -> None:
    """Install the console: session settings, guards, template helpers and its own pages."""
    _configure_session(app)
    app.before_request(guard_console)
    app.before_request(check_csrf)
    app.after_request(_security_headers)
    app.context_processor(_template_helpers)
    app.add_template_filter(local_text, "localtime")
    for status in ERROR_MESSAGES:
        app.register_error_handler(status, _error_page)
    _register_own_pages(app)


def _configure_session(app: Flask) -> None:
    from datetime import timedelta

    console = app.config["FANZHA"]["console"]
    app.config.update(
        SESSION_COOKIE_SECURE=console["secure_cookies"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="fanzha_session",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=console["session_minutes"]),
    )


def _error_page(error: HTTPException):
    """Console errors in the operator's language; other paths keep their own error responses."""
    if not (request.path == "/admin" or request.path.startswith("/admin/")):
        return error
    message = ERROR_MESSAGES.get(error.code, "")
    if error.code == 400 and error.description == "csrf":
        message = "表单已过期或来源不明。请返回上一页，刷新后重新提交。"
    return render_template("admin/error.html", code=error.code, message=message), error.code


def _security_headers(response):
    if request.path == "/admin" or request.path.startswith("/admin/"):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def _template_helpers() -> dict[str, Any]:
    from markupsafe import Markup, escape

    def csrf_field() -> Markup:
        return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">')

    def can(role: str) -> bool:
        return role_at_least(current_operator(), role)

    return {"csrf_field": csrf_field, "csrf_token": csrf_token, "can": can,
            "operator": current_operator(), "console_nav": console_nav, "role_labels": ROLE_LABELS,
            "risk_labels": RISK_LABELS}


def _register_own_pages(app: Flask) -> None:
    for name in OWN_PAGES:
        importlib.import_module(name).init_app(app)
