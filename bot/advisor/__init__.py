"""The advisor: pure Python that reads a message and composes the expert desk's answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from bot.advisor import context, urgency
from bot.advisor.cues import OFFICIAL_NOTICE_WEIGHT
from bot.advisor.entities import FLAGS, Entities, Entity, extract
from bot.advisor.knowledge import KnowledgeBase
from bot.advisor.matcher import EntryScore, Matcher
from bot.advisor.normalize import DisguiseTable, normalize
from bot.advisor.reply import Findings, compose

# A message scoring at least THRESHOLD is a scam; HIGH or urgent makes it high risk;
# at least LOW (below THRESHOLD) is unsure, and the reply asks one question.
THRESHOLD = 3.0
HIGH = 6.0
LOW = 1.5
URGENCY_BONUS = 1.5
# What a found entity adds, by kind, when it carries a red flag (and when it does not).
ENTITY_WEIGHTS = {"url": (2.0, 0.5), "phone": (1.5, 0.0), "card": (0.5, 0.5), "qq": (0.5, 0.5),
                  "wechat": (0.5, 0.5), "amount": (0.0, 0.0)}
BLACKLIST_KINDS = {"phone": "phone", "url": "url", "card": "card", "qq": "account", "wechat": "account"}

Blacklist = Callable[[str, str], "dict | None"]


@dataclass
class Analysis:
    is_scam: bool
    category: str | None
    risk: str
    urgent: bool
    signals: list[str] = field(default_factory=list)
    entities: dict[str, list[Any]] = field(default_factory=dict)
    reply: str = ""
    entry: str | None = None
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Advisor:
    """Recognises the scam in a message, judges its urgency and composes the answer."""

    def __init__(self, knowledge: KnowledgeBase, blacklist: Blacklist | None = None):
        self.knowledge = knowledge
        self.blacklist = blacklist
        self.disguises = DisguiseTable({variant: word for word, variants in knowledge.disguises.items()
                                        for variant in variants})
        self.matcher = Matcher(knowledge.entries, self.disguises)

    def analyze(self, text: str) -> Analysis:
        normalized = normalize(text, self.disguises)
        entities = extract(text)
        blacklisted = self._check_blacklist(entities)
        scores = self.matcher.match(normalized, _tags(entities))
        best = scores[0] if scores and scores[0].score > 0 else None
        cues = urgency.detect(normalized)
        score = self._score(best, entities, cues, normalized)
        if blacklisted:
            score = max(score, HIGH)
        is_scam = score >= THRESHOLD
        urgent = is_scam and bool(cues)
        risk = _risk(score, is_scam, urgent, best)
        findings = Findings(entry=best.entry if best else None, risk=risk, urgent=urgent,
                            notes=best.notes if best else [], words=best.words if best else [],
                            entities=[e for e in entities.all() if e.flags], blacklisted=blacklisted)
        return Analysis(is_scam=is_scam, category=best.entry.category if best and is_scam else None,
                        risk=risk, urgent=urgent, signals=_signals(best, entities, cues),
                        entities=entities.to_json(), reply=compose(findings, self.knowledge),
                        entry=best.entry.id if best else None, score=round(score, 2))

    def _score(self, best: EntryScore | None, entities: Entities, cues: list[urgency.Urgency],
               normalized: str) -> float:
        score = best.score if best else 0.0
        for entity in entities.all():
            flagged, plain = ENTITY_WEIGHTS.get(entity.kind, (0.0, 0.0))
            score += flagged if entity.flags and entity.kind not in ("card", "qq", "wechat") else plain
        if context.official_notices(normalized):
            score += OFFICIAL_NOTICE_WEIGHT
        tactics, _seen = context.tactics(normalized)
        score += tactics if best is not None else tactics / 2
        if cues and best is not None and best.score >= LOW:
            score += URGENCY_BONUS
        if any(cue.kind == "victim" for cue in cues):
            score = max(score, THRESHOLD)
        return score

    def _check_blacklist(self, entities: Entities) -> bool:
        """Ask the blacklist about every entity; mark the known-bad ones."""
        if self.blacklist is None:
            return False
        hit = False
        for entity in entities.all():
            for kind, value in _lookups(entity):
                record = self.blacklist(kind, value)
                if record:
                    entity.known_bad = dict(record)
                    entity.flags.insert(0, FLAGS["known_bad"])
                    hit = True
                    break
        return hit


def _tags(entities: Entities) -> frozenset[str]:
    """The entity kinds present, as combo parts name them ("@amount", "@link", …)."""
    present = {"@amount": entities.amounts, "@link": entities.urls, "@phone": entities.phones,
               "@card": entities.cards, "@account": entities.accounts}
    return frozenset(tag for tag, found in present.items() if found)


def _lookups(entity: Entity) -> list[tuple[str, str]]:
    kind = BLACKLIST_KINDS.get(entity.kind)
    if kind is None:
        return []
    if kind == "url":
        host = entity.value.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].removeprefix("www.")
        return [("url", entity.value), ("domain", host)]
    return [(kind, entity.value)]


def _risk(score: float, is_scam: bool, urgent: bool, best: EntryScore | None) -> str:
    if is_scam:
        return "high" if urgent or score >= HIGH else "medium"
    return "low" if score >= LOW or (best is not None and best.score >= LOW) else "none"


def _signals(best: EntryScore | None, entities: Entities, cues: list[urgency.Urgency]) -> list[str]:
    """What the advisor saw: matched words, flagged entities, and urgency cues."""
    seen = list(best.words) if best else []
    for entity in entities.all():
        seen += [f"{entity.raw}：{reason}" for reason in entity.flags]
    seen += [f"紧急：{cue.cue}" for cue in cues]
    return list(dict.fromkeys(seen))
