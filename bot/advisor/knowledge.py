"""The knowledge base: scam entries, disguises and shared reply texts, loaded and validated.

An entry is stored as a plain TOML-able dict (a "document"); `entry_from_document` validates one
and names the source and the field on any problem, `entry_to_document` turns it back.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CATEGORIES = (
    "刷单返利", "虚假网络投资理财", "虚假网络贷款", "虚假征信", "冒充电商物流客服",
    "冒充公检法及政府机关", "冒充领导熟人", "网络婚恋交友", "网络游戏产品虚假交易", "虚假购物服务",
    "机票退改签", "虚假中奖", "冒充通信运营商", "虚假退税补贴", "虚假保健品", "网络赌博", "帮信犯罪",
    "虚假招聘",
)
# Texts the reply composition reads; a base without them cannot answer residents.
REQUIRED_TEXTS = (
    "welcome", "fallback", "default", "emergency", "hotlines", "sanbuyiduo", "verdict_high",
    "verdict_medium", "verdict_blacklist", "flags_heading", "actions_heading", "avoid_heading",
    "unsure", "unsure_question", "known_bad", "menu", "verdict_general", "explain", "explain_closing",
)
# Combo parts may name an entity kind found in the message instead of a word.
ENTITY_TAGS = ("@amount", "@link", "@phone", "@card", "@account")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
MAX_WEIGHT = 10.0
_TEXT_FIELDS = ("id", "category", "title", "script", "why")
_LIST_FIELDS = ("actions", "avoid")
_OPTIONAL_TEXT = ("question",)


class KnowledgeError(Exception):
    """A knowledge file or field is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Signal:
    """Words that mean the same red flag, how much it weighs, and how to explain it."""

    words: tuple[str, ...]
    weight: float
    note: str = ""


@dataclass(frozen=True)
class Combo:
    """A red flag only when every part appears; each part lists alternatives ("客服|工作人员")."""

    parts: tuple[tuple[str, ...], ...]
    weight: float
    note: str = ""


@dataclass
class Entry:
    id: str
    category: str
    title: str
    script: str
    why: str
    actions: list[str]
    avoid: list[str]
    signals: list[Signal]
    combos: list[Combo] = field(default_factory=list)
    question: str = ""
    source: str = ""


@dataclass
class KnowledgeBase:
    texts: dict[str, str]
    entries: list[Entry] = field(default_factory=list)
    disguises: dict[str, list[str]] = field(default_factory=dict)
    # Reply sections already put together from this base's texts (a base is never changed in place).
    rendered: dict[tuple, str] = field(default_factory=dict, repr=False, compare=False)

    def text(self, key: str) -> str:
        return self.texts[key]

    def render_once(self, key: tuple, build: Callable[[], str]) -> str:
        """The text build() makes, made once per key for the life of this base."""
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = build()
        return text

    @classmethod
    def from_documents(cls, entries: list[dict], texts: dict[str, str],
                       disguises: dict | None = None) -> KnowledgeBase:
        """Build and validate a base from entry documents (e.g. stored as JSON), texts and disguises."""
        built = [entry_from_document(document, f"entry {document.get('id', index)!s}")
                 for index, document in enumerate(entries)]
        _check_unique_ids(built)
        return cls(texts=check_texts(texts, "texts"), entries=built,
                   disguises=check_disguises(disguises or {}, "disguises"))


# --- one entry ---------------------------------------------------------------------------------

def entry_from_document(document: dict, source: str) -> Entry:
    """Validate one entry as parsed from TOML; errors name the source and the field."""
    if not isinstance(document, dict):
        raise KnowledgeError(f"{source}: an entry must be a table of fields")
    for name in _TEXT_FIELDS:
        _require_text(document, name, source)
    for name in _OPTIONAL_TEXT:
        if name in document and not isinstance(document[name], str):
            raise KnowledgeError(f"{source}: field {name} must be text")
    if not ID_PATTERN.match(document["id"]):
        raise KnowledgeError(f"{source}: field id must be lowercase letters, digits and dashes")
    if document["category"] not in CATEGORIES:
        raise KnowledgeError(f"{source}: field category {document['category']!r} is not one of the "
                             f"18 canonical categories")
    unknown = set(document) - {*_TEXT_FIELDS, *_LIST_FIELDS, *_OPTIONAL_TEXT, "signals", "combos"}
    if unknown:
        raise KnowledgeError(f"{source}: field {sorted(unknown)[0]} is not known")
    return Entry(
        id=document["id"], category=document["category"], title=document["title"].strip(),
        script=document["script"].strip(), why=document["why"].strip(),
        actions=_text_list(document, "actions", source, minimum=1),
        avoid=_text_list(document, "avoid", source, minimum=2),
        signals=_signals(document.get("signals"), source),
        combos=_combos(document.get("combos", []), source),
        question=document.get("question", "").strip(), source=source)


def entry_to_document(entry: Entry) -> dict[str, Any]:
    """The TOML-able dict an entry came from (round-trips through entry_from_document)."""
    document: dict[str, Any] = {
        "id": entry.id, "category": entry.category, "title": entry.title, "script": entry.script,
        "why": entry.why, "actions": list(entry.actions), "avoid": list(entry.avoid),
    }
    if entry.question:
        document["question"] = entry.question
    document["signals"] = [_drop_empty({"words": list(signal.words), "weight": signal.weight,
                                        "note": signal.note}) for signal in entry.signals]
    if entry.combos:
        document["combos"] = [_drop_empty({"all": ["|".join(part) for part in combo.parts],
                                           "weight": combo.weight, "note": combo.note})
                              for combo in entry.combos]
    return document


def _drop_empty(table: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in table.items() if value != ""}


def _require_text(document: dict, name: str, source: str) -> None:
    value = document.get(name)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{source}: field {name} is required and must be non-empty text")


def _text_list(document: dict, name: str, source: str, minimum: int) -> list[str]:
    value = document.get(name)
    if not isinstance(value, list) or len(value) < minimum:
        raise KnowledgeError(f"{source}: field {name} must be a list of at least {minimum} texts")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise KnowledgeError(f"{source}: field {name}[{index}] must be non-empty text")
    return [item.strip() for item in value]


def _weight(table: dict, where: str) -> float:
    value = table.get("weight")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not -MAX_WEIGHT <= value <= MAX_WEIGHT or value == 0:
        raise KnowledgeError(f"{where}.weight must be a non-zero number from -{MAX_WEIGHT:g} to {MAX_WEIGHT:g}")
    return float(value)


def _note(table: dict, where: str) -> str:
    note = table.get("note", "")
    if not isinstance(note, str):
        raise KnowledgeError(f"{where}.note must be text")
    return note.strip()


def _signals(value: Any, source: str) -> list[Signal]:
    if not isinstance(value, list) or not value:
        raise KnowledgeError(f"{source}: field signals must be a non-empty list of tables")
    signals = []
    for index, table in enumerate(value):
        where = f"{source}: field signals[{index}]"
        if not isinstance(table, dict):
            raise KnowledgeError(f"{where} must be a table")
        words = table.get("words")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise KnowledgeError(f"{where}.words must be a non-empty list of non-empty texts")
        _only_keys(table, {"words", "weight", "note"}, where)
        signals.append(Signal(tuple(word.strip() for word in words), _weight(table, where), _note(table, where)))
    if not any(signal.weight > 0 for signal in signals):
        raise KnowledgeError(f"{source}: field signals needs at least one positive weight")
    return signals


def _combos(value: Any, source: str) -> list[Combo]:
    if not isinstance(value, list):
        raise KnowledgeError(f"{source}: field combos must be a list of tables")
    combos = []
    for index, table in enumerate(value):
        where = f"{source}: field combos[{index}]"
        if not isinstance(table, dict):
            raise KnowledgeError(f"{where} must be a table")
        parts = table.get("all")
        if not isinstance(parts, list) or len(parts) < 2 or not all(isinstance(p, str) for p in parts):
            raise KnowledgeError(f"{where}.all must list at least two texts (alternatives split by |)")
        split = tuple(tuple(word.strip() for word in part.split("|") if word.strip()) for part in parts)
        if not all(split):
            raise KnowledgeError(f"{where}.all has an empty part")
        unknown_tags = [w for part in split for w in part if w.startswith("@") and w not in ENTITY_TAGS]
        if unknown_tags:
            raise KnowledgeError(f"{where}.all names {unknown_tags[0]}, not one of {', '.join(ENTITY_TAGS)}")
        _only_keys(table, {"all", "weight", "note"}, where)
        combos.append(Combo(split, _weight(table, where), _note(table, where)))
    return combos


def _only_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise KnowledgeError(f"{where}.{sorted(unknown)[0]} is not a known field")


def _check_unique_ids(entries: list[Entry]) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.id in seen:
            raise KnowledgeError(f"{entry.source}: field id {entry.id!r} is already used by {seen[entry.id]}")
        seen[entry.id] = entry.source


# --- texts and disguises -----------------------------------------------------------------------

def check_texts(data: dict, source: str) -> dict[str, str]:
    """Every text is non-empty and every text the replies need is present."""
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(f"{source}: field {key} must be non-empty text")
    for key in REQUIRED_TEXTS:
        if key not in data:
            raise KnowledgeError(f"{source}: field {key} is missing")
    return dict(data)


def check_disguises(data: dict, source: str) -> dict[str, list[str]]:
    """A table of plain word → list of disguised spellings."""
    table = data.get("disguises", data) if isinstance(data, dict) else data
    if not isinstance(table, dict):
        raise KnowledgeError(f"{source}: field disguises must be a table")
    for word, variants in table.items():
        if not word.strip() or not isinstance(variants, list) or not variants \
                or not all(isinstance(v, str) and v.strip() for v in variants):
            raise KnowledgeError(f"{source}: field disguises.{word} must be a non-empty list of texts")
    return {word: list(variants) for word, variants in table.items()}


# --- files -------------------------------------------------------------------------------------

def read_toml(path: Path) -> dict:
    """A knowledge file's table; any problem is a KnowledgeError naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KnowledgeError(f"{path}: {error}") from None


def load_texts(path: Path) -> dict[str, str]:
    return check_texts(read_toml(path), str(path))


def load_disguises(path: Path) -> dict[str, list[str]]:
    return check_disguises(read_toml(path), str(path)) if path.exists() else {}


def load_entry(path: Path) -> Entry:
    return entry_from_document(read_toml(path), str(path))


def entry_files(root: Path) -> list[Path]:
    return sorted((root / "entries").glob("*.toml"))


def load_directory(path: str | Path) -> KnowledgeBase:
    """Load texts.toml, disguises.toml and entries/*.toml; the first problem raises KnowledgeError."""
    root = Path(path)
    entries = [load_entry(file) for file in entry_files(root)]
    _check_unique_ids(entries)
    return KnowledgeBase(texts=load_texts(root / "texts.toml"), entries=entries,
                         disguises=load_disguises(root / "disguises.toml"))


def validate_directory(path: str | Path) -> list[str]:
    """Every problem in a knowledge directory, one line each; empty when valid."""
    root = Path(path)
    if not root.is_dir():
        return [f"{root}: not a directory"]
    problems: list[str] = []
    for check in (lambda: load_texts(root / "texts.toml"), lambda: load_disguises(root / "disguises.toml")):
        try:
            check()
        except KnowledgeError as error:
            problems.append(str(error))
    entries = []
    for file in entry_files(root):
        try:
            entries.append(load_entry(file))
        except KnowledgeError as error:
            problems.append(str(error))
    try:
        _check_unique_ids(entries)
    except KnowledgeError as error:
        problems.append(str(error))
    if not entries and not problems:
        problems.append(f"{root / 'entries'}: no entries found")
    return problems
