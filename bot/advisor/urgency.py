"""Urgency: has the resident already paid, given away a code or password, or are they paying now?"""

from __future__ import annotations

from dataclasses import dataclass

import re

import ahocorasick

from bot.advisor import cues
from bot.advisor.gates import gated_alternatives


@dataclass(frozen=True)
class Urgency:
    cue: str
    kind: str  # "loss", "exposure" or "now"


def _automaton(groups: dict[str, tuple[str, ...]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for kind, words in groups.items():
        for word in words:
            automaton.add_word(word, (word, kind))
    automaton.make_automaton()
    return automaton


_CUES = _automaton({"loss": cues.LOSS_CUES, "exposure": cues.EXPOSURE_CUES, "now": cues.NOW_CUES,
                    "victim": cues.VICTIM_CUES})
# Each alternative of a cue pattern is gated and searched on its own: only those a message can match run.
_PATTERNS, _GATES = gated_alternatives(
    (("loss", cues.LOSS_PATTERNS), ("exposure", cues.EXPOSURE_PATTERNS), ("now", cues.NOW_PATTERNS)))
_NEGATIONS = _automaton({"negation": cues.NEGATIONS})
_CONDITIONS = re.compile("|".join(map(re.escape, cues.CONDITIONS)))
_CLAIMS = re.compile("|".join(map(re.escape, cues.CLAIMS)))
_REQUESTS = _automaton({"request": cues.REQUESTS})


def _window(text: str, start: int) -> str:
    """The few characters before start, cut at the clause boundary."""
    window_start = max(0, start - cues.NEGATION_WINDOW)
    for index in range(start - 1, window_start - 1, -1):
        if text[index] in cues.CLAUSE_ENDS:
            window_start = index + 1
            break
    return text[window_start:start]


def _clause_before(text: str, start: int) -> str:
    """The clause the cue sits in, up to the cue."""
    begin = start
    while begin and text[begin - 1] not in cues.CLAUSE_ENDS:
        begin -= 1
    return text[begin:start]


def _clause_after(text: str, end: int, reach: int) -> str:
    """Up to reach characters after the cue, within its clause: "我现在在银行，要打吗" asks nothing
    of being at the bank."""
    after = text[end:end + reach]
    for index, char in enumerate(after):
        if char in cues.CLAUSE_ENDS:
            return after[:index]
    return after


def negated(text: str, start: int, cue: str) -> bool:
    """A negation or hedge shortly before the cue, a condition right after it, a caller's claim in its
    clause, or (unless the cue says it was done) a request earlier in its clause: "他让我把钱都转出去"
    is not yet a loss."""
    if next(_NEGATIONS.iter(_window(text, start)), None) is not None:
        return True
    if cue.endswith(("后", "以后")) and text[start - 1:start] == cues.TERMS_BEFORE:
        return True
    after = _clause_after(text, start + len(cue), cues.CONDITION_REACH)
    if _CONDITIONS.search(after):
        return True
    clause = _clause_before(text, start)
    if _CLAIMS.search(clause, max(0, len(clause) - cues.CLAIM_REACH)):
        return True
    # "了" or "完" says it was done; "正在"/"还在" that it is being done; "着" that it still is.
    done = ("了" in cue or "完" in cue or "了" in after[:cues.DONE_REACH] or cue.startswith(cues.UNDER_WAY)
            or cues.STILL in cue)
    if not done and text[start - 1:start] in cues.PLAN_BEFORE:
        return True
    return not done and next(_REQUESTS.iter(clause), None) is not None


def detect(text: str) -> list[Urgency]:
    """Every urgency cue in a normalized message that is not negated ("我还没转" is not urgent)."""
    found: list[Urgency] = []
    for end, (word, kind) in _CUES.iter(text):
        start = end - len(word) + 1
        if kind == "victim" and text[end + 1:end + 2] == cues.EXPERIENCE:
            continue  # "朋友被骗过": something that happened once, not a loss now
        if not negated(text, start, word):
            found.append(Urgency(word, kind))
    for place in _GATES.open_in(text):
        pattern, kind = _PATTERNS[place]
        for match in pattern.regex.finditer(text):
            if not negated(text, match.start(), match.group(0)):
                found.append(Urgency(match.group(0), kind))
                break
    if len(found) > 1:
        # "在按人家说的…输" inside "正在按人家说的…输" is the same cue, shown once.
        found = [cue for cue in found if not any(cue.cue != other.cue and cue.cue in other.cue for other in found)]
    return found
