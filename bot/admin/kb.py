"""Knowledge-base entries in the console: list, search, create, edit, disable, delete, revisions, try it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from bot.admin.auth import found_or_404
from bot.admin import NavItem, register_page, role_required
from bot.admin import kbforms
from bot.admin import kbservice as service
from bot.admin.kbservice import compare_revisions
from bot.advisor.knowledge import CATEGORIES, KnowledgeError
from bot.db import get_db
from bot.db import knowledge as kb_db

bp = Blueprint("admin_kb", __name__, url_prefix="/admin/kb")


def init_app(app) -> None:
    register_page(app, bp, NavItem("知识库", "admin_kb.index", order=30),
                  NavItem("试一试", "admin_kb.try_live", order=35))


@bp.get("/")
@role_required("viewer")
def index():
    query, category = request.args.get("q", "").strip(), request.args.get("category", "")
    db = get_db()
    return render_template("admin/kb_index.html", rows=kb_db.entries(db, query, category), q=query,
                           category=category, categories=CATEGORIES, deleted=kb_db.deleted_entries(db),
                           version=kb_db.version(db))


@bp.get("/try")
@role_required("viewer")
def try_live():
    """Try a message against the live knowledge base: exactly what a resident gets now."""
    text = request.args.get("text", "").strip()
    result = service.analysis_view(service.live().advisor().analyze(text), text) if text else None
    return render_template("admin/kb_try.html", text=text, result=result)


@bp.get("/new")
@role_required("editor")
def new():
    return _edit_page(None, kbforms.form_from_document({}), [], None)


@bp.post("/new")
@role_required("editor")
def create():
    document, errors = kbforms.document_from_form(kbforms.FormData(request.form))
    if not errors and kb_db.entry(get_db(), document["id"]) is not None:
        errors.append(f"编号 {document['id']} 已被其他条目使用")
    return _submit(None, document, errors, enabled=True, action="create")


@bp.get("/entry/<entry_id>")
@role_required("viewer")
def edit(entry_id: str):
    row = _entry_or_404(entry_id)
    return _edit_page(row, kbforms.form_from_document(row["document"]), [], None)


@bp.post("/entry/<entry_id>")
@role_required("editor")
def update(entry_id: str):
    row = _entry_or_404(entry_id)
    document, errors = kbforms.document_from_form(kbforms.FormData(request.form), entry_id)
    return _submit(row, document, errors, enabled=bool(row["enabled"]), action="update")


def _submit(row: dict[str, Any] | None, document: dict[str, Any], errors: list[str], enabled: bool,
            action: str):
    """Validate the form; try it against the draft, or save it as a new revision."""
    errors = errors or kbforms.validate_entry(document)
    result = None
    trial = request.form.get("try_text", "").strip()
    submitted = kbforms.form_from_submission(kbforms.FormData(request.form))
    if row is not None:
        submitted["id"] = row["id"]
    if request.form.get("do") == "try" and not errors:
        result = _try_draft(document, trial, errors) if trial else None
        if not trial:
            errors.append("请先在“试一试”框里输入一条消息")
    if request.form.get("do") != "save" or errors:
        return _edit_page(row, submitted, errors, result, trial), 400 if errors else 200
    try:
        service.save_entry(document, enabled, action, request.form.get("revision", 0, type=int))
    except service.StaleEdit:
        errors.append("保存失败：该条目已被其他人修改。请刷新页面，在最新版本上重新修改。")
        return _edit_page(row, submitted, errors, None, trial), 409
    flash(f"已保存“{document['title']}”，几秒钟内居民就会收到新的回答。")
    return redirect(url_for("admin_kb.edit", entry_id=document["id"], try_text=trial or None))


def _try_draft(document: dict[str, Any], text: str, errors: list[str]) -> dict[str, Any] | None:
    try:
        advisor = service.live().draft_advisor(entry=document)
    except KnowledgeError as error:
        errors.append(kbforms.friendly_error(str(error)))
        return None
    return service.analysis_view(advisor.analyze(text), text)


def _edit_page(row: dict[str, Any] | None, form: dict[str, Any], errors: list[str],
               result: dict[str, Any] | None, trial: str = ""):
    trial = trial or request.args.get("try_text", "")
    live_result = None
    if row is not None and trial and result is None and request.method == "GET":
        live_result = service.analysis_view(service.live().advisor().analyze(trial), trial)
    return render_template("admin/kb_edit.html", row=row, form=form, errors=errors, result=result,
                           live_result=live_result, try_text=trial, categories=CATEGORIES)


@bp.post("/entry/<entry_id>/enabled")
@role_required("editor")
def set_enabled(entry_id: str):
    row = _entry_or_404(entry_id)
    enabled = request.form.get("enabled") == "1"
    service.save_entry(row["document"], enabled, "enable" if enabled else "disable")
    flash(f"已{'启用' if enabled else '停用'}“{row['title']}”。")
    return redirect(url_for("admin_kb.edit", entry_id=entry_id))


@bp.post("/entry/<entry_id>/delete")
@role_required("editor")
def delete(entry_id: str):
    row = _entry_or_404(entry_id)
    service.delete_entry(entry_id)
    flash(f"已删除“{row['title']}”。在知识库列表下方的“已删除条目”中可以恢复。")
    return redirect(url_for("admin_kb.index"))


# --- revisions ------------------------------------------------------------------------------

@bp.get("/entry/<entry_id>/revisions")
@role_required("viewer")
def revisions(entry_id: str):
    """Every revision, and a comparison of two (by default the latest two)."""
    return render_template("admin/kb_revisions.html", entry_id=entry_id,
                           **compare_revisions(get_db(), "entry", entry_id),
                           current=kb_db.entry(get_db(), entry_id))


@bp.get("/entry/<entry_id>/revisions/<int:number>")
@role_required("viewer")
def revision(entry_id: str, number: int):
    found = found_or_404(kb_db.revision(get_db(), "entry", entry_id, number))
    return render_template("admin/kb_revision.html", entry_id=entry_id, rev=found,
                           toml=kbforms.as_toml(found["document"]))


@bp.post("/entry/<entry_id>/revisions/<int:number>/restore")
@role_required("editor")
def restore(entry_id: str, number: int):
    """Make an old revision current again, as a new revision (nothing is lost)."""
    found = kb_db.revision(get_db(), "entry", entry_id, number)
    if found is None or found["document"] is None:
        abort(404)
    errors = kbforms.validate_entry(found["document"])
    if errors:
        flash("无法恢复：" + "；".join(errors), "error")
        return redirect(url_for("admin_kb.revisions", entry_id=entry_id))
    service.save_entry(found["document"], bool(found["enabled"]), "restore")
    flash(f"已恢复到第 {number} 版。")
    return redirect(url_for("admin_kb.edit", entry_id=entry_id))


def _entry_or_404(entry_id: str) -> dict[str, Any]:
    return found_or_404(kb_db.entry(get_db(), entry_id))
