"""Context beyond the scam entries: how scams are told (any type), and genuine official notices."""

from __future__ import annotations

import re

import ahocorasick

from bot.advisor import cues

_TACTICS = [(re.compile(pattern), weight) for pattern, weight in cues.TACTICS]


def _notices() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in cues.OFFICIAL_NOTICE_CUES:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_NOTICES = _notices()
_LEARNING = re.compile("|".join(map(re.escape, cues.LEARNING_CUES)))


def official_notices(text: str) -> list[str]:
    """Phrases of genuine bank, carrier and parcel notices in a normalized message."""
    return sorted({word for _end, word in _NOTICES.iter(text)})


def tactics(text: str) -> tuple[float, list[str]]:
    """The capped weight of scam tactics in a normalized message, and the phrases that showed them."""
    total, seen = 0.0, []
    for pattern, weight in _TACTICS:
        match = pattern.search(text)
        if match:
            total += weight
            seen.append(match.group(0))
    return min(total, cues.TACTICS_CAP), seen


def learning_question(text: str) -> bool:
    """A question about scams in general ("什么是杀猪盘") rather than about the resident's own case."""
    return _LEARNING.search(text) is not None and not any(cue in text for cue in cues.INVOLVEMENT_CUES)


def stopped_in_time(text: str) -> bool:
    """The message tells of a scam that was stopped before money left."""
    return any(cue in text for cue in cues.STOPPED_CUES)


def service_question(text: str) -> bool:
    """A question about a public service, such as where to renew an ID card."""
    return any(cue in text for cue in cues.SERVICE_CUES)
