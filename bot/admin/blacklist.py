"""The blacklist: numbers, links, domains, cards and QQ/WeChat ids known to be used by scammers.

Values are stored normalized the way bot.advisor.entities normalizes what residents write, so the
advisor's lookups match however an operator typed them. Every change bumps the knowledge version,
which makes every worker reload its in-memory copy.
"""

from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from bot.admin.auth import found_or_404
from bot.admin import NavItem, audit, register_page, role_required
from bot.admin.kbservice import live, who
from bot.advisor.entities import extract, normalize_url
from bot.advisor.normalize import fold
from bot.db import console as console_db
from bot.db import get_db
from bot.db import knowledge as kb_db
from bot.timeutil import now_text

bp = Blueprint("admin_blacklist", __name__, url_prefix="/admin/blacklist")
KIND_LABELS = {"phone": "电话号码", "url": "网址", "domain": "域名", "card": "银行卡号", "account": "QQ/微信号"}
CSV_FIELDS = ["kind", "value", "source", "note"]
MAX_CSV_BYTES = 2 * 1024 * 1024


class BlacklistError(ValueError):
    """A value that cannot be listed as given; the message is for the operator."""


def init_app(app) -> None:
    register_page(app, bp, NavItem("黑名单", "admin_blacklist.index", order=50))


def normalize_value(kind: str, raw: str) -> str:
    """The value as the advisor looks it up: digits for cards, canonical URLs, bare hosts, lowercase ids."""
    text = fold(raw.strip(), casefold=False)
    if kind not in KIND_LABELS:
        raise BlacklistError(f"未知类型：{kind}")
    if not text:
        raise BlacklistError("值不能为空")
    if kind == "phone":
        return _phone(text)
    if kind == "url":
        return normalize_url(text)[0]
    if kind == "domain":
        return normalize_url(text)[1].split(":")[0]
    if kind == "card":
        digits = re.sub(r"[\s-]", "", text)
        if not re.fullmatch(r"\d{12,19}", digits):
            raise BlacklistError("银行卡号应为 12 到 19 位数字")
        return digits
    return text.lower().removeprefix("qq:").removeprefix("wx:").strip()


def _phone(text: str) -> str:
    phones = extract(text).phones
    if phones:
        return phones[0].value
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\+?\d{3,20}", digits):
        raise BlacklistError("电话号码只能包含数字（可以“+”开头）")
    return digits


@bp.get("/")
@role_required("viewer")
def index():
    query, kind = request.args.get("q", "").strip(), request.args.get("kind", "")
    rows = console_db.blacklist_rows(get_db(), _search_value(query), kind if kind in KIND_LABELS else "")
    return render_template("admin/blacklist.html", rows=rows, q=query, kind=kind, kinds=KIND_LABELS,
                           form={}, errors=[])


def _search_value(query: str) -> str:
    return fold(query, casefold=False).lower() if query else ""


@bp.post("/")
@role_required("editor")
def add():
    form = {key: request.form.get(key, "").strip() for key in CSV_FIELDS}
    try:
        value = normalize_value(form["kind"], form["value"])
    except BlacklistError as error:
        return render_template("admin/blacklist.html", rows=console_db.blacklist_rows(get_db()), q="", kind="",
                               kinds=KIND_LABELS, form=form, errors=[str(error)]), 400
    _upsert([(form["kind"], value, form["source"], form["note"])])
    flash(f"已加入黑名单：{value}")
    return redirect(url_for("admin_blacklist.index"))


@bp.post("/<int:row_id>/delete")
@role_required("editor")
def delete(row_id: int):
    db = get_db()
    row = found_or_404(console_db.blacklist_row(db, row_id))
    with kb_db.transaction(db):
        console_db.delete_blacklist(db, row_id)
        audit("blacklist.delete", f"blacklist:{row['kind']}:{row['value']}", _public(row), None)
        kb_db.bump_version(db)
    live().refresh()
    flash(f"已从黑名单移除：{row['value']}")
    return redirect(url_for("admin_blacklist.index"))


@bp.post("/import")
@role_required("editor")
def import_csv():
    """Add or update rows from a CSV file with the columns kind, value, source, note."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择要导入的 CSV 文件。", "error")
        return redirect(url_for("admin_blacklist.index"))
    data = upload.read(MAX_CSV_BYTES + 1)
    try:
        rows = parse_csv(data)
    except BlacklistError as error:
        flash(f"导入失败：{error}", "error")
        return redirect(url_for("admin_blacklist.index"))
    _upsert(rows)
    flash(f"已导入 {len(rows)} 条。")
    return redirect(url_for("admin_blacklist.index"))


def parse_csv(data: bytes) -> list[tuple[str, str, str, str]]:
    """Rows of (kind, normalized value, source, note); the first bad line stops the import."""
    if len(data) > MAX_CSV_BYTES:
        raise BlacklistError("文件超过 2MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise BlacklistError("文件编码无法识别，请保存为 UTF-8 的 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"kind", "value"} <= set(reader.fieldnames):
        raise BlacklistError("第一行必须是列名，至少包含 kind 和 value（可选 source、note）")
    rows = []
    for number, record in enumerate(reader, 2):
        try:
            kind = (record.get("kind") or "").strip()
            rows.append((kind, normalize_value(kind, (record.get("value") or "").strip().lstrip("'")),
                         (record.get("source") or "").strip(), (record.get("note") or "").strip()))
        except BlacklistError as error:
            raise BlacklistError(f"第 {number} 行：{error}") from None
    return rows


@bp.get("/export.csv")
@role_required("viewer")
def export_csv():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for row in console_db.blacklist_rows(get_db()):
        writer.writerow([_csv_safe(row[field]) for field in CSV_FIELDS])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=blacklist.csv"})


def _csv_safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "@", "+", "-", "\t", "\r") else value


def _upsert(rows: list[tuple[str, str, str, str]]) -> None:
    db = get_db()
    now = now_text()
    with kb_db.transaction(db):
        for kind, value, source, note in rows:
            before = console_db.blacklist_find(db, kind, value)
            console_db.upsert_blacklist(db, kind, value, source, note, now, who())
            audit("blacklist.add" if before is None else "blacklist.update", f"blacklist:{kind}:{value}",
                  _public(before), _public(console_db.blacklist_find(db, kind, value)))
        kb_db.bump_version(db)
    live().refresh()


def _public(row: dict | None) -> dict | None:
    return None if row is None else {key: row[key] for key in CSV_FIELDS}
