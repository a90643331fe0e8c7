"""The inbox: what residents wrote and what they were told, with the unrecognised ones first in mind."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.admin.auth import found_or_404
from bot.admin import NavItem, kbforms, register_page, role_required
from bot.admin import kbservice as service
from bot.db import console as console_db
from bot.db import get_db
from bot.db import knowledge as kb_db

bp = Blueprint("admin_inbox", __name__, url_prefix="/admin/inbox")
PAGE_SIZE = 50
MAX_SIGNAL_CHARS = 40
VIEWS = {"all": "全部消息", "conversations": "按居民（会话）", "unrecognised": "未识别或不确定"}


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
    if view == "conversations":
        rows = console_db.recent_conversations(get_db(), query, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    else:
        rows = console_db.recent_messages(get_db(), query, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE,
                                          unrecognised=view == "unrecognised")
    return render_template("admin/inbox.html", rows=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE,
                           view=view, views=VIEWS, q=query, page=page)


@bp.get("/<int:message_id>")
@role_required("viewer")
def show(message_id: int):
    """One message in its conversation, with the signals it fired and a way to teach the advisor."""
    db = get_db()
    message = found_or_404(console_db.message(db, message_id))
    return _show(message, {"words": (message["content"] or "")[:MAX_SIGNAL_CHARS], "weight": "3",
                           "note": "", "entry_id": ""}, [])


def _show(message: dict, form: dict, errors: list[str]):
    db = get_db()
    return render_template("admin/inbox_show.html", message=message,
                           thread=console_db.conversation(db, message["openid"]),
                           outcome=message["outcome"] if isinstance(message["outcome"], dict) else {},
                           reply=reply_text(message), entries=kb_db.entries(db), form=form,
                           errors=errors), 400 if errors else 200


@bp.post("/<int:message_id>/signal")
@role_required("editor")
def add_signal(message_id: int):
    """One step from an unrecognised message to a new signal of an entry, saved as a revision."""
    db = get_db()
    message = found_or_404(console_db.message(db, message_id))
    form = {key: request.form.get(key, "").strip() for key in ("words", "weight", "note", "entry_id")}
    row = kb_db.entry(db, form["entry_id"])
    errors, document = _signal_document(row, form)
    if errors:
        return _show(message, form, errors)
    service.save_entry(document, bool(row["enabled"]), "signal")
    flash(f"已把“{form['words']}”加为“{row['title']}”的新信号。下面是这条消息现在得到的回答。")
    return redirect(url_for("admin_kb.edit", entry_id=row["id"], try_text=message["content"] or None))


def _signal_document(row: dict | None, form: dict) -> tuple[list[str], dict]:
    """The entry with the new signal, or the reasons it cannot be added."""
    if row is None:
        return ["请选择要加入信号的条目"], {}
    words = kbforms.split_words(form["words"])
    if not words:
        return ["请填写信号词语（多个词语用顿号或逗号分开）"], {}
    try:
        weight = float(form["weight"])
    except ValueError:
        return ["权重必须是数字（例如 2 或 3）"], {}
    document = kbforms.add_signal(row["document"], words, weight, form["note"])
    return kbforms.validate_entry(document), document


def reply_text(message: dict) -> str:
    """The text the resident was sent, whatever shape the stored reply has."""
    reply = message.get("reply_content")
    if isinstance(reply, dict):
        return str(reply.get("content") or "")
    return str(reply or "")
