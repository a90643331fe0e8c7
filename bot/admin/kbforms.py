"""Entry and text forms: the operator's fields to a knowledge document and back, with Chinese messages.

Pure functions over plain mappings, so they are tested without a request.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import tomli_w

from bot.advisor.knowledge import KnowledgeError, entry_from_document
from bot.livekb import placeholders

BLANK_ROWS = 3
WORD_SPLIT = re.compile(r"[、，,;；\n]+")
FIELD_LABELS = {
    "id": "编号", "category": "类型", "title": "标题", "script": "常见话术", "why": "为什么是诈骗",
    "actions": "现在该怎么做", "avoid": "如何防范", "question": "追问", "signals": "信号",
    "combos": "组合信号", "words": "词语", "weight": "权重", "note": "说明", "all": "组成部分",
}
TEXT_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# The loader's English phrases, in the operator's words.
PHRASES = [
    (r"must be a non-zero number from (\S+) to (\S+)", r"必须是 \1 到 \2 之间、不为 0 的数字"),
    (r"is required and must be non-empty text", "必须填写"),
    (r"must be a list of at least (\d+) texts", r"至少需要 \1 条（每行一条）"),
    (r"is not one of the 18 canonical categories", "不是 18 种标准类型之一"),
    (r"must be lowercase letters, digits and dashes", "只能用小写字母、数字和连字符（2 到 64 个字符）"),
    (r"must be a non-empty list of non-empty texts", "不能为空"),
    (r"needs at least one positive weight", "至少需要一个正权重的信号"),
    (r"must be a non-empty list of tables", "至少需要一行"),
    (r"must list at least two texts \(alternatives split by \|\)", "至少需要用 + 连接的两部分"),
    (r"has an empty part", "有空的部分"),
    (r"is already used by", "已被使用："),
    (r"must be non-empty text", "不能为空"),
    (r"must be text", "必须是文字"),
    (r"\bfield ", ""),
]


class FormData:
    """Read access to a submitted form: one value or a list of values per name."""

    def __init__(self, form: Any):
        self._form = form

    def get(self, name: str) -> str:
        return (self._form.get(name) or "").strip()

    def getlist(self, name: str) -> list[str]:
        return [value.strip() for value in self._form.getlist(name)]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def split_words(text: str) -> list[str]:
    return [word.strip() for word in WORD_SPLIT.split(text) if word.strip()]


def document_from_form(form: FormData, entry_id: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """An entry document from the edit form, and the problems found while reading it."""
    errors: list[str] = []
    document: dict[str, Any] = {
        "id": entry_id or form.get("id"), "category": form.get("category"), "title": form.get("title"),
        "script": form.get("script"), "why": form.get("why"),
        "actions": lines(form.get("actions")), "avoid": lines(form.get("avoid")),
    }
    if form.get("question"):
        document["question"] = form.get("question")
    document["signals"] = _rows(form, "signal", errors, lambda words: split_words(words), "words")
    combos = _rows(form, "combo", errors, lambda parts: [p.strip() for p in parts.split("+") if p.strip()], "all")
    if combos:
        document["combos"] = combos
    return document, errors


def _rows(form: FormData, prefix: str, errors: list[str], parse, key: str) -> list[dict[str, Any]]:
    """Signal or combo rows: rows without words are dropped; weights must be numbers."""
    label = "信号" if prefix == "signal" else "组合信号"
    rows = []
    for index, (words, weight, note) in enumerate(zip(form.getlist(f"{prefix}_words"),
                                                       form.getlist(f"{prefix}_weight"),
                                                       form.getlist(f"{prefix}_note")), 1):
        if not words:
            continue
        try:
            value: float | int = float(weight)
        except ValueError:
            errors.append(f"{label}第 {index} 行：权重必须是数字（例如 2 或 -1.5）")
            continue
        row: dict[str, Any] = {key: parse(words), "weight": int(value) if value.is_integer() else value}
        if note:
            row["note"] = note
        rows.append(row)
    return rows


def validate_entry(document: dict[str, Any]) -> list[str]:
    """The knowledge base's own validation, in the operator's words."""
    try:
        entry_from_document(document, "entry")
    except KnowledgeError as error:
        return [friendly_error(str(error))]
    return []


def friendly_error(message: str) -> str:
    """A loader message ("entry: field signals[0].weight must be ...") with Chinese field names."""
    message = re.sub(r"^[^:]*: ", "", message)

    def label(match: re.Match[str]) -> str:
        name, index = match.group(1), match.group(2)
        text = FIELD_LABELS.get(name, name)
        return f"{text}第 {int(index) + 1} 行" if index is not None else text

    for pattern, replacement in PHRASES:
        message = re.sub(pattern, replacement, message)
    translated = re.sub(r"\b([a-z]+)(?:\[(\d+)\])?", lambda m: label(m) if m.group(1) in FIELD_LABELS else m.group(0),
                        message)
    return "未通过校验：" + translated.replace(".", " ")


def form_from_document(document: dict[str, Any]) -> dict[str, Any]:
    """The edit form's values for a document, with blank rows to add signals and combos."""
    signals = [{"words": "、".join(s["words"]), "weight": _number(s["weight"]), "note": s.get("note", "")}
               for s in document.get("signals", [])]
    combos = [{"words": " + ".join(c["all"]), "weight": _number(c["weight"]), "note": c.get("note", "")}
              for c in document.get("combos", [])]
    blank = {"words": "", "weight": "", "note": ""}
    return {
        "id": document.get("id", ""), "category": document.get("category", ""),
        "title": document.get("title", ""), "script": document.get("script", ""),
        "why": document.get("why", ""), "question": document.get("question", ""),
        "actions": "\n".join(document.get("actions", [])), "avoid": "\n".join(document.get("avoid", [])),
        "signals": signals + [dict(blank) for _ in range(BLANK_ROWS)],
        "combos": combos + [dict(blank) for _ in range(BLANK_ROWS)],
    }


def form_from_submission(form: FormData) -> dict[str, Any]:
    """The edit form exactly as the operator sent it (bad rows included), to show it again."""
    def rows(prefix: str) -> list[dict[str, str]]:
        sent = [{"words": w, "weight": v, "note": n} for w, v, n in zip(
            form.getlist(f"{prefix}_words"), form.getlist(f"{prefix}_weight"), form.getlist(f"{prefix}_note"))
            if w or v or n]
        return sent + [{"words": "", "weight": "", "note": ""} for _ in range(BLANK_ROWS)]

    fields = ("id", "category", "title", "script", "why", "question", "actions", "avoid")
    return {**{name: form.get(name) for name in fields}, "signals": rows("signal"), "combos": rows("combo")}


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def add_signal(document: dict[str, Any], words: list[str], weight: float, note: str = "") -> dict[str, Any]:
    """A copy of the document with one more signal."""
    signal: dict[str, Any] = {"words": words, "weight": int(weight) if float(weight).is_integer() else weight}
    if note:
        signal["note"] = note
    return {**document, "signals": [*document.get("signals", []), signal]}


def as_toml(document: Any) -> str:
    """A document as the TOML an entry file holds (texts as themselves)."""
    if document is None:
        return ""
    if isinstance(document, str):
        return document
    return tomli_w.dumps(document, multiline_strings=True)


def diff_lines(old: Any, new: Any) -> list[tuple[str, str]]:
    """A line diff of two documents as (kind, line) with kind add, del or ctx."""
    result = []
    for line in difflib.unified_diff(as_toml(old).splitlines(), as_toml(new).splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
        result.append((kind, line))
    return result


def check_text_key(key: str) -> list[str]:
    if not TEXT_KEY.match(key):
        return ["键名只能用小写字母、数字和下划线，并以字母开头"]
    return []


def placeholder_errors(old: str | None, new: str) -> list[str]:
    """A text may drop placeholders but not add new ones: the code only fills the ones it knows."""
    try:
        used = placeholders(new)
    except ValueError:
        return ["花括号 { } 不成对。{名称} 是自动填写的占位符；要显示花括号本身，请写成 {{ 或 }}"]
    allowed = placeholders(old) if old is not None else used
    unknown = sorted(used - allowed)
    if unknown:
        known = "、".join(f"{{{name}}}" for name in sorted(allowed)) or "（无）"
        return [f"占位符 {'、'.join('{' + name + '}' for name in unknown)} 无法自动填写；这段文本可用的占位符：{known}"]
    return []
