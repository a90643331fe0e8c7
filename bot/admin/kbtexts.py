"""Shared reply texts and the disguise table in the console: list, search, create, edit, delete, revisions."""

from __future__ import annotations

import tomllib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from bot.admin.auth import found_or_404
from bot.admin import NavItem, kbforms, register_page, role_required
from bot.admin import kbservice as service
from bot.admin.kbservice import compare_revisions
from bot.advisor.knowledge import REQUIRED_TEXTS, KnowledgeError, check_disguises
from bot.db import get_db
from bot.db import knowledge as kb_db

bp = Blueprint("admin_texts", __name__, url_prefix="/admin/texts")


def init_app(app) -> None:
    register_page(app, bp, NavItem("回复文本", "admin_texts.index", order=40))


@bp.get("/")
@role_required("viewer")
def index():
    query = request.args.get("q", "").strip()
    return render_template("admin/texts_index.html", rows=kb_db.text_rows(get_db(), query), q=query,
                           required=REQUIRED_TEXTS, form={"key": "", "value": ""}, errors=[])


@bp.post("/")
@role_required("editor")
def create():
    key, value = request.form.get("key", "").strip(), request.form.get("value", "").strip()
    errors = kbforms.check_text_key(key) + (kbforms.placeholder_errors(None, value) if value else ["内容不能为空"])
    if not errors and kb_db.text_row(get_db(), key):
        errors.append(f"键名 {key} 已存在")
    if errors:
        return render_template("admin/texts_index.html", rows=kb_db.text_rows(get_db()), q="",
                               required=REQUIRED_TEXTS, form={"key": key, "value": value}, errors=errors), 400
    service.save_text(key, value, "create")
    flash(f"已新建文本 {key}。")
    return redirect(url_for("admin_texts.edit", key=key))


@bp.get("/<key>")
@role_required("viewer")
def edit(key: str):
    row = _row_or_404(key)
    return _page(key, row["value"], row, [], None)


@bp.post("/<key>")
@role_required("editor")
def update(key: str):
    """Save a text, or try a message with the draft text first."""
    row = _row_or_404(key)
    value = request.form.get("value", "").strip()
    contract = service.live().bundled_texts.get(key, row["value"])
    errors = kbforms.placeholder_errors(contract, value) if value else ["内容不能为空"]
    trial = request.form.get("try_text", "").strip()
    if errors or request.form.get("do") != "save":
        result = None
        if trial and not errors:
            result = service.analysis_view(service.live().draft_advisor(texts={key: value}).analyze(trial), trial)
        return _page(key, value, row, errors, result, trial), 400 if errors else 200
    service.save_text(key, value, "update")
    flash(f"已保存文本 {key}，几秒钟内居民就会收到新的内容。")
    return redirect(url_for("admin_texts.edit", key=key))


@bp.post("/<key>/delete")
@role_required("editor")
def delete(key: str):
    _row_or_404(key)
    if key in REQUIRED_TEXTS:
        flash(f"{key} 是回复必需的文本，不能删除，只能修改。", "error")
        return redirect(url_for("admin_texts.edit", key=key))
    service.delete_text(key)
    flash(f"已删除文本 {key}。")
    return redirect(url_for("admin_texts.index"))


@bp.get("/<key>/revisions")
@role_required("viewer")
def revisions(key: str):
    return render_template("admin/text_revisions.html", key=key, **compare_revisions(get_db(), "text", key))


@bp.post("/<key>/revisions/<int:number>/restore")
@role_required("editor")
def restore(key: str, number: int):
    found = kb_db.revision(get_db(), "text", key, number)
    if found is None or found["document"] is None:
        abort(404)
    service.save_text(key, found["document"], "restore")
    flash(f"已将文本 {key} 恢复到第 {number} 版。")
    return redirect(url_for("admin_texts.edit", key=key))


@bp.get("/-/disguises")
@role_required("viewer")
def disguises():
    """The disguise table (plain word = its disguised spellings), edited as TOML lines."""
    current = kb_db.document(get_db(), kb_db.DISGUISES_KEY) or {}
    return render_template("admin/disguises.html", source=kbforms.as_toml(current), errors=[])


@bp.post("/-/disguises")
@role_required("editor")
def save_disguises():
    source = request.form.get("source", "")
    try:
        table = check_disguises(tomllib.loads(source), "disguises")
    except (tomllib.TOMLDecodeError, KnowledgeError, AttributeError) as error:
        return render_template("admin/disguises.html", source=source, errors=[f"格式有误：{error}"]), 400
    service.save_disguises(table)
    flash("已保存变体词表。")
    return redirect(url_for("admin_texts.disguises"))


def _page(key: str, value: str, row: dict, errors: list[str], result, trial: str = ""):
    return render_template("admin/text_edit.html", key=key, value=value, row=row, errors=errors,
                           result=result, try_text=trial, required=key in REQUIRED_TEXTS)


def _row_or_404(key: str) -> dict:
    return found_or_404(kb_db.text_row(get_db(), key))
