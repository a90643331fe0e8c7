"""Context beyond the scam entries: how scams are told (any type), and what makes a message benign.

One pass of a multi-pattern automaton finds every context cue; `read` returns which kinds appeared.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import ahocorasick

from bot.advisor import cues
from bot.advisor.gates import GatedList, GatedPattern, gated_alternatives

_TACTICS = [(GatedPattern(tactic[0]), tactic[1], tactic[2] if len(tactic) > 2 else "") for tactic in cues.TACTICS]
_TACTIC_GATES = GatedList([pattern for pattern, *_rest in _TACTICS])
NOTICE, LEARNING, INVOLVEMENT, SERVICE, STOPPED = "notice", "learning", "involvement", "service", "stopped"
ROUTINE, DEFINITION, UNVERIFIED = "routine", "definition", "unverified"
SUSPECT_PAYEE, KNOWN_PAYEE = "suspect_payee", "known_payee"
THIRD_PARTY, QUESTION, TEACHING, VERIFIED = "third_party", "question", "teaching", "verified"
FEEDBACK, FAKE, CONTACT = "feedback", "fake", "contact"
_KINDS = {NOTICE: cues.OFFICIAL_NOTICE_CUES, LEARNING: cues.LEARNING_CUES, INVOLVEMENT: cues.INVOLVEMENT_CUES,
          SERVICE: cues.SERVICE_CUES, STOPPED: cues.STOPPED_CUES, ROUTINE: cues.ROUTINE_CUES, DEFINITION: cues.DEFINITION_CUES,
          UNVERIFIED: cues.UNVERIFIED_CUES, SUSPECT_PAYEE: cues.SUSPECT_PAYEES, KNOWN_PAYEE: cues.KNOWN_PAYEES,
          THIRD_PARTY: cues.THIRD_PARTY_CUES, QUESTION: cues.QUESTION_CUES, TEACHING: cues.TEACHING_CUES,
          FEEDBACK: cues.FEEDBACK_CUES, FAKE: cues.FAKE_CUES, CONTACT: cues.CONTACT_CUES}


def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    kinds: dict[str, set[str]] = {}
    for kind, words in _KINDS.items():
        for word in words:
            kinds.setdefault(word, set()).add(kind)
    for word, word_kinds in kinds.items():
        automaton.add_word(word, (len(word), frozenset(word_kinds)))
    automaton.make_automaton()
    return automaton


_CUES = _automaton()
# Routine and verified-genuine patterns, found with one automaton pass over their gates; each
# alternative of a pattern is gated and searched on its own (only whether one matches counts).
_PATTERNS, _PATTERN_GATES = gated_alternatives(((ROUTINE, cues.ROUTINE_PATTERNS), (VERIFIED, cues.VERIFIED_GENUINE)))
_UNSOLICITED = re.compile(cues.UNSOLICITED)


def read(text: str) -> set[str]:
    """The kinds of context cue present in a normalized message.

    A routine pattern (the resident's own dealing through an official channel, in person, or checked
    with the official line) counts only if nobody came to them unasked; a request checked and found
    genuine is routine whoever made it.
    """
    found: set[str] = set()
    for end, (size, kinds) in _CUES.iter(text):
        if FAKE in kinds and text.endswith(cues.FEARED_BEFORE, 0, end - size + 1):
            kinds = kinds - {FAKE}
        found |= kinds
    routine_told = False
    for place in _PATTERN_GATES.open_in(text):
        pattern, kind = _PATTERNS[place]
        if kind in found or (kind == ROUTINE and routine_told) or pattern.regex.search(text) is None:
            continue
        if kind == VERIFIED:
            found.add(VERIFIED)
        else:
            routine_told = True
    if routine_told and ROUTINE not in found and _UNSOLICITED.search(text) is None:
        found.add(ROUTINE)
    return found


def official_notice(kinds: set[str]) -> bool:
    """Wording of a genuine bank, carrier or parcel notice."""
    return NOTICE in kinds


def learning_question(kinds: set[str]) -> bool:
    """A question about scams in general ("什么是杀猪盘") rather than about the resident's own case."""
    return LEARNING in kinds and INVOLVEMENT not in kinds and CONTACT not in kinds


def service_question(kinds: set[str]) -> bool:
    """A question about a public service, such as where to renew an ID card."""
    return SERVICE in kinds


def others_story(kinds: set[str]) -> bool:
    """News of someone else's scam that was stopped in time, or a scam story shared as feedback or a
    lesson ("想夸夸你们", "转给我妹看了"), not about the resident and asking nothing."""
    if QUESTION in kinds:
        return False
    if FEEDBACK in kinds and (STOPPED in kinds or THIRD_PARTY in kinds):
        return True  # its "对方说…" is the other person's caller, not the resident's
    return STOPPED in kinds and THIRD_PARTY in kinds and INVOLVEMENT not in kinds


def stopped_in_time(kinds: set[str]) -> bool:
    """The message tells of a scam that was stopped before money left."""
    return STOPPED in kinds


_ASKED = re.compile(cues.ASKED_OF_RESIDENT)


def asked_of_resident(text: str) -> bool:
    """Someone asks the resident (or their family) to do something: "要我重新付款"."""
    return _ASKED.search(text) is not None


def asks_what_it_is(kinds: set[str]) -> bool:
    """The resident asks what a named scam is ("杀猪盘是什么意思"), not how to prevent scams."""
    return DEFINITION in kinds


def concerns_resident(kinds: set[str]) -> bool:
    """The message tells of the resident's own case, or of someone who contacted them."""
    return INVOLVEMENT in kinds or CONTACT in kinds


def asks_to_teach(kinds: set[str]) -> bool:
    """What a scam is, asked in order to teach others or to follow the news ("给我妈科普一下")."""
    return TEACHING in kinds and INVOLVEMENT not in kinds


def suspect_payee(kinds: set[str]) -> bool:
    """Money goes to an unnamed "him" or "that account", or as a fee, and not to family."""
    return SUSPECT_PAYEE in kinds and KNOWN_PAYEE not in kinds


def routine(kinds: set[str]) -> bool:
    """Ordinary dealings with an employer, the residents' committee, a shop, or one's own reported case,
    with someone whose identity is not in doubt, or was in doubt and has been checked."""
    return ROUTINE in kinds and UNVERIFIED not in kinds or verified(kinds)


def verified(kinds: set[str]) -> bool:
    """Whoever asked was checked with the official line or in person and found genuine ("换了新微信找我借钱，
    我打了他原来的电话确认是他本人"): the check settles the doubt, unless it showed a fake."""
    return VERIFIED in kinds and FAKE not in kinds


class Tactics(NamedTuple):
    weight: float  # all tactics, capped (and halved off a scam topic)
    firm: float  # asking for money, codes or secrecy, not a bare "is this real?" nor a card number or ID copy
    red_line: bool  # a tactic no genuine party uses, however well checked (cues.RED_LINE)
    seen: list[str]  # the phrases that showed them


def tactics_detail(text: str, on_topic: bool = True) -> Tactics:
    """The scam tactics in a normalized message. Off a scam topic, tactics count half, and a bare
    "is this real?" does not count at all."""
    total, firm, red_line, seen = 0.0, 0.0, False, []
    for place in _TACTIC_GATES.open_in(text):
        pattern, weight, kind = _TACTICS[place]
        if kind is True and not on_topic:
            continue
        match = pattern.regex.search(text)  # usually none, or not denied: then no generator is needed
        if match and _denied(text, match.start()):
            match = next((m for m in pattern.regex.finditer(text) if not _denied(text, m.start())), None)
        if match:
            total += weight
            if not kind or kind == cues.RED_LINE:
                firm += weight
            red_line = red_line or kind == cues.RED_LINE
            seen.append(match.group(0))
    capped = min(total, cues.TACTICS_CAP)
    return Tactics(capped if on_topic else capped / 2, firm, red_line, seen)


def _denied(text: str, start: int) -> bool:
    before = text[max(0, start - 2):start]
    return before.endswith(cues.TACTIC_NEGATIONS)
