"""The dialogue's own content in knowledge/: reply texts (dialogue.toml) and the quiz (quiz.toml).

Loaded and validated here; re-read when a file changes, so an edit needs no restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.advisor.knowledge import KnowledgeError, read_toml

LETTERS = "ABCD"
log = logging.getLogger("fanzha.dialogue")


class ContentError(KnowledgeError):
    """A dialogue or quiz file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    text: str
    options: tuple[str, ...]
    answer: str                   # a letter, A-D
    explain: str


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]
    per_quiz: int
    pass_mark: int

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def load_texts(path: Path) -> dict[str, str]:
    """Flat key = text pairs, every value non-empty text."""
    data = read_toml(path)
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{path}: field {key} must be non-empty text")
    return data


def load_quiz(path: Path) -> Quiz:
    data = read_toml(path)
    raw = data.get("question")
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{path}: needs at least one [[question]]")
    questions = tuple(_question(path, index, item) for index, item in enumerate(raw, 1))
    if len({q.id for q in questions}) != len(questions):
        raise ContentError(f"{path}: question ids must be unique")
    per_quiz = _int_field(path, data, "per_quiz", 1, len(questions))
    pass_mark = _int_field(path, data, "pass_mark", 1, per_quiz)
    return Quiz(questions, per_quiz, pass_mark)


def _int_field(path: Path, data: dict[str, Any], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ContentError(f"{path}: field {key} must be a whole number from {low} to {high}")
    return value


def _question(path: Path, index: int, item: Any) -> Question:
    where = f"{path}: question {index}"
    if not isinstance(item, dict):
        raise ContentError(f"{where} must be a table")
    for key in ("id", "category", "text", "answer", "explain"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ContentError(f"{where}: field {key} must be non-empty text")
    options = item.get("options")
    if (not isinstance(options, list) or not 2 <= len(options) <= len(LETTERS)
            or not all(isinstance(o, str) and o.strip() for o in options)):
        raise ContentError(f"{where}: field options must list 2 to {len(LETTERS)} texts")
    answer = item["answer"].strip().upper()
    if answer not in LETTERS[:len(options)]:
        raise ContentError(f"{where}: field answer must be one of {LETTERS[:len(options)]}")
    return Question(item["id"], item["category"], item["text"].strip(), tuple(options), answer,
                    item["explain"].strip())


class ContentCache:
    """The texts and quiz of one knowledge folder, re-read when a file's mtime changes.

    A broken edit keeps the last good copy (and is logged); only a first load raises.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, Any]] = {}

    def texts(self) -> dict[str, str]:
        return self._get("dialogue.toml", load_texts)

    def quiz(self) -> Quiz:
        return self._get("quiz.toml", load_quiz)

    def _get(self, name: str, loader) -> Any:
        path = self.root / name
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._seen.get(name)
            if cached is None or cached[0] != mtime:
                cached = (mtime, self._load(path, loader, cached))
                self._seen[name] = cached
            return cached[1]

    @staticmethod
    def _load(path: Path, loader, cached: tuple[float, Any] | None) -> Any:
        try:
            return loader(path)
        except KnowledgeError:
            if cached is None:
                raise
            log.exception("keeping the last good copy of %s", path)
            return cached[1]


_caches: dict[str, ContentCache] = {}
_caches_lock = threading.Lock()


def content_for(root: str | Path) -> ContentCache:
    """One cache per knowledge folder, shared by every turn of the process."""
    key = str(root)
    with _caches_lock:
        if key not in _caches:
            _caches[key] = ContentCache(root)
        return _caches[key]
