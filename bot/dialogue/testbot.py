"""An in-process chat with the pure dialogue: no web, no database. For tests and trying texts out.

    bot = TestBot(advisor, texts, quiz)
    assert "编号" in bot.says("举报")   # ... and so on, like a resident typing
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.dialogue import respond
from bot.dialogue.model import Context, Inbound, Lookups, Outcome


@dataclass
class TestBot:
    advisor: Any
    texts: dict[str, str]
    quiz: Any
    openid: str = "o_testbot"
    lookups: Lookups = field(default_factory=Lookups)
    flow_timeout: timedelta = timedelta(minutes=30)
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))
    state: dict[str, Any] | None = None
    effects: list[Any] = field(default_factory=list)
    last: Outcome | None = None

    __test__ = False  # not a pytest test class

    def says(self, text: str) -> str:
        return self.send(Inbound(self.openid, "text", text=text))

    def taps(self, key: str) -> str:
        return self.send(Inbound(self.openid, "event", event="CLICK", event_key=key))

    def send_event(self, event: str, key: str | None = None) -> str:
        return self.send(Inbound(self.openid, "event", event=event, event_key=key))

    def sends(self, msg_type: str) -> str:
        """A message without words: an image, a voice WeChat did not understand, ..."""
        return self.send(Inbound(self.openid, msg_type))

    def waits(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)

    def send(self, inbound: Inbound) -> str:
        ctx = Context(advisor=self.advisor, texts=self.texts, now=self.now, state=self.state,
                      lookups=self.lookups, flow_timeout=self.flow_timeout, quiz=self.quiz)
        self.last = respond(inbound, ctx)
        self.state = self.last.state
        self.effects.extend(self.last.effects)
        self.now += timedelta(seconds=20)
        return self.last.reply.content if self.last.reply else ""
