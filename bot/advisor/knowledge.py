"""The knowledge base: scam entries and shared reply texts, loaded and validated."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class KnowledgeError(Exception):
    """A knowledge file or field is invalid; the message names the file and the field."""


@dataclass
class KnowledgeBase:
    texts: dict[str, str]
    entries: list[dict[str, Any]] = field(default_factory=list)

    def text(self, key: str) -> str:
        return self.texts[key]


def load_texts(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KnowledgeError(f"{path}: {error}") from None
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(f"{path}: field {key} must be non-empty text")
    return data


def load_directory(path: str | Path) -> KnowledgeBase:
    root = Path(path)
    return KnowledgeBase(texts=load_texts(root / "texts.toml"))
