"""The knowledge base residents are answered from, shared by every request of a worker."""

from __future__ import annotations

import threading

from bot.advisor import Advisor
from bot.advisor.knowledge import KnowledgeBase, load_directory


class LiveKnowledge:
    """Holds the current advisor and texts; the last good copy survives any later failure."""

    def __init__(self, config: dict):
        self._path = config["knowledge"]["path"]
        self._lock = threading.Lock()
        self._knowledge: KnowledgeBase = load_directory(self._path)
        self._advisor = Advisor(self._knowledge)

    def advisor(self) -> Advisor:
        return self._advisor

    def texts(self) -> dict[str, str]:
        return self._knowledge.texts
