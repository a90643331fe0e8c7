"""The inbox: what residents wrote and what they were told, with the unrecognised ones first in mind."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from bot.admin import NavItem, register_page, role_required
from bot.db import console as console_db
from bot.db import get_db

bp = Blueprint("admin_inbox", __name__, url_prefix="/admin/inbox")
PAGE_SIZE = 50
VIEWS = {"all": "全部消息", "unrecognised": "未识别或不确定"}


def init_app(app) -> None:
    register_page(app, bp, NavItem("消息", "admin_inbox.index", order=20))


@bp.get("/")
@role_required("viewer")
def index():
    view = request.args.get("view", "all")
    if view not in VIEWS:
        view = "all"
    query = request.args.get("q", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    rows = console_db.recent_messages(get_db(), query, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE,
                                      unrecognised=view == "unrecognised")
    return render_template("admin/inbox.html", rows=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE,
                           view=view, views=VIEWS, q=query, page=page)


@bp.get("/<int:message_id>")
@role_required("viewer")
def show(message_id: int):
    """One message in its conversation, with the signals it fired and a way to teach the advisor."""
    db = get_db()
    message = console_db.message(db, message_id)
    if message is None:
        abort(404)
    return render_template("admin/inbox_show.html", message=message,
                           thread=console_db.conversation(db, message["openid"]),
                           outcome=message["outcome"] if isinstance(message["outcome"], dict) else {},
                           reply=reply_text(message))


def reply_text(message: dict) -> str:
    """The text the resident was sent, whatever shape the stored reply has."""
    reply = message.get("reply_content")
    if isinstance(reply, dict):
        return str(reply.get("content") or "")
    return str(reply or "")
