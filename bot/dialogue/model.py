"""The values the dialogue takes and gives: no Flask, no wechatpy, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

# (kind, value) -> the blacklist row, or None; kinds: phone, url, domain, card, account.
BlacklistLookup = Callable[[str, str], "dict[str, Any] | None"]


def _nothing_listed(_kind: str, _value: str) -> dict[str, Any] | None:
    return None


@dataclass(frozen=True)
class Lookups:
    """Read-only look-ups the edge provides to a turn; pure defaults for tests."""
    blacklist: BlacklistLookup = _nothing_listed


@dataclass(frozen=True)
class Inbound:
    """One message or event from a resident, already verified and parsed at the edge."""
    openid: str
    msg_type: str                 # text, voice, image, video, shortvideo, location, link, event, ...
    text: str = ""                # the text to read: Content, voice Recognition, or a link's words
    event: str | None = None      # subscribe, unsubscribe, CLICK, ... (events only)
    event_key: str | None = None
    msg_id: str | None = None
    wechat_time: int = 0
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A passive reply. Only text for now; `content` is what the resident reads."""
    content: str
    type: str = "text"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "content": self.content}


@dataclass
class Outcome:
    """What the dialogue decided: the reply (None: nothing to say), what was concluded, the next state."""
    reply: Reply | None
    verdict: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] | None = None
    effects: list[Any] = field(default_factory=list)


@dataclass
class Context:
    """Everything a turn may read: the advisor, the shared texts, the user's state, the time."""
    advisor: Any
    texts: dict[str, str]
    now: datetime
    state: dict[str, Any] | None = None
    lookups: Lookups = field(default_factory=Lookups)
    flow_timeout: timedelta = timedelta(minutes=30)
    quiz: Any = None              # bot.dialogue.content.Quiz, the questions from knowledge/quiz.toml
