"""knowledge/alerts.toml: WeChat errors explained in Chinese, status names, labels, quota warnings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECTIONS = ("errors", "status", "labels", "quota", "problems")


class AlertsKnowledgeError(Exception):
    """knowledge/alerts.toml is missing a section or holds a non-text value."""


@dataclass(frozen=True)
class AlertTexts:
    errors: dict[str, str]
    status: dict[str, str]
    labels: dict[str, str]
    quota: dict[str, str]
    problems: dict[str, str]

    def explain(self, errcode: int | None) -> str:
        """The Chinese explanation of a WeChat errcode for operators."""
        if errcode is None:
            return ""
        return self.errors.get(str(errcode), self.errors["unknown"] + f"（{errcode}）")

    def status_name(self, status: str | None) -> str:
        return self.status.get(status or "", status or "")


def load(knowledge_path: str | Path) -> AlertTexts:
    """Read and validate alerts.toml from the knowledge directory."""
    path = Path(knowledge_path) / "alerts.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AlertsKnowledgeError(f"{path}: {error}") from None
    for section in SECTIONS:
        table = data.get(section)
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise AlertsKnowledgeError(f"{path}: [{section}] must be a table of non-empty texts")
    if "unknown" not in data["errors"]:
        raise AlertsKnowledgeError(f"{path}: [errors] needs an 'unknown' entry")
    return AlertTexts(**{section: data[section] for section in SECTIONS})


@lru_cache(maxsize=4)
def cached(knowledge_path: str) -> AlertTexts:
    return load(knowledge_path)
