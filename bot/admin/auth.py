"""Operators, roles and sessions: who is logged in, and the decorators every console view uses."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from bot.db import console as console_db
from bot.db import get_db
from bot.timeutil import now_text

ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}
ROLE_LABELS = {"viewer": "查看员", "editor": "编辑员", "admin": "管理员"}
MIN_PASSWORD_LENGTH = 8
# Endpoints an anonymous visitor may reach under /admin; everything else needs a login.
PUBLIC_ENDPOINTS = {"admin.login"}


class OperatorError(Exception):
    """An operator cannot be created or changed as asked; the message says why."""


# --- operators ------------------------------------------------------------------

def found_or_404(row: Any) -> Any:
    """The row a page asked for, or the console's 404 page when there is none."""
    if row is None:
        abort(404)
    return row


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password_rules(password: str) -> None:
    """Refuse passwords too short to protect the console."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperatorError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")


def create_operator(db, name: str, password: str, role: str) -> int:
    """Create an operator with a hashed password; raise OperatorError on a bad name, role or password."""
    name = name.strip()
    if not name or len(name) > 64:
        raise OperatorError("用户名不能为空，且不超过 64 个字符")
    if role not in ROLE_RANK:
        raise OperatorError(f"角色必须是 {', '.join(ROLE_RANK)} 之一")
    check_password_rules(password)
    if console_db.operator_by_name(db, name):
        raise OperatorError(f"用户名 {name} 已存在")
    return console_db.create_operator(db, name, hash_password(password), role, now_text())


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("no such operator")


def authenticate(db, name: str, password: str) -> dict[str, Any] | None:
    """The active operator with this name and password, or None."""
    operator = console_db.operator_by_name(db, name)
    if operator is None:
        check_password_hash(_dummy_hash(), password)  # as slow as a real check: names do not leak
        return None
    if not check_password_hash(operator["password_hash"], password) or not operator["active"]:
        return None
    return operator


def role_at_least(operator: dict[str, Any] | None, role: str) -> bool:
    return bool(operator) and ROLE_RANK[operator["role"]] >= ROLE_RANK[role]


# --- sessions -------------------------------------------------------------------

def session_key(operator: dict[str, Any]) -> str:
    """A fingerprint of the password hash: changing the password ends every other session."""
    return operator["password_hash"][-12:]


def start_session(operator: dict[str, Any]) -> None:
    """A fresh session for a freshly authenticated operator (no fixation)."""
    session.clear()
    session.permanent = True
    session["op_id"] = operator["id"]
    session["op_key"] = session_key(operator)
    session["op_seen"] = time.time()


def end_session() -> None:
    session.clear()


def load_operator() -> dict[str, Any] | None:
    """The logged-in operator for this request, or None when absent, expired or disabled."""
    if "operator" in g:
        return g.operator
    g.operator = None
    operator_id = session.get("op_id")
    if operator_id is None:
        return None
    idle_limit = current_app.config["FANZHA"]["console"]["session_minutes"] * 60
    if time.time() - float(session.get("op_seen", 0)) > idle_limit:
        end_session()
        session["expired"] = True
        return None
    operator = console_db.operator_by_id(get_db(), operator_id)
    if operator is None or not operator["active"] or session.get("op_key") != session_key(operator):
        end_session()
        return None
    session["op_seen"] = time.time()
    g.operator = operator
    return operator


def current_operator() -> dict[str, Any] | None:
    """The operator behind this request (None for anonymous visitors)."""
    return load_operator()


# --- decorators -----------------------------------------------------------------

def login_required(view: Callable) -> Callable:
    """Send anonymous visitors to the login page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if load_operator() is None:
            return redirect_to_login()
        return view(*args, **kwargs)

    return wrapped


def role_required(role: str) -> Callable[[Callable], Callable]:
    """Require a login and at least `role` (viewer < editor < admin); others get 403."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            operator = load_operator()
            if operator is None:
                return redirect_to_login()
            if not role_at_least(operator, role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def redirect_to_login():
    """Redirect to the login page, remembering where the operator wanted to go."""
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("admin.login", next=target.rstrip("?") if target else None))


def guard_console() -> Any:
    """App-wide before_request: every /admin route but the public ones needs a live session."""
    if not _is_console_path(request.path) or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if load_operator() is None:
        return redirect_to_login()
    return None


def _is_console_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")
