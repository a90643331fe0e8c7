"""The advisor: pure Python that reads a message and composes the expert desk's answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.advisor.knowledge import KnowledgeBase


@dataclass
class Analysis:
    is_scam: bool
    category: str | None
    risk: str
    urgent: bool
    signals: list[str] = field(default_factory=list)
    entities: dict[str, list[Any]] = field(default_factory=dict)
    reply: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Advisor:
    """Interim advisor: always gives the general safety advice until matching exists."""

    def __init__(self, knowledge: KnowledgeBase):
        self.knowledge = knowledge

    def analyze(self, text: str) -> Analysis:
        return Analysis(is_scam=False, category=None, risk="none", urgent=False,
                        reply=self.knowledge.text("fallback"))
