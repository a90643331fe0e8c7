"""CSRF protection for every console form: a per-session token checked on every unsafe request.

A small synchroniser-token check rather than flask-wtf: the console's forms are hand-written
HTML, so all it needs is one token in the session and one comparison, with no new dependency.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token() -> str:
    """The session's token, created on first use; templates put it in every form."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def rotate_token() -> None:
    """A new token after login, so a token seen before login is worthless after it."""
    session["csrf"] = secrets.token_urlsafe(32)


def check_csrf() -> None:
    """App-wide before_request for console paths: refuse an unsafe request without the token."""
    if request.method in SAFE_METHODS or not _is_console_path(request.path):
        return
    expected = session.get("csrf")
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(expected, sent):
        abort(400, description="csrf")


def _is_console_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")
