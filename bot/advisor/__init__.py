"""The advisor: pure Python that reads a message and composes the expert desk's answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from bot.advisor import context, urgency
from bot.advisor.cues import (LEARNING_WEIGHT, OFFICIAL_NOTICE_WEIGHT, ROUTINE_WEIGHT, SERVICE_WEIGHT,
                              SIGNED_NOTICE_WEIGHT)
from bot.advisor.entities import FLAGS, Entities, Entity, extract_folded
from bot.advisor.knowledge import Entry, KnowledgeBase
from bot.advisor.matcher import EntryScore, Matcher
from bot.advisor.normalize import DisguiseTable, fold, normalize_folded
from bot.advisor.reply import Findings, compose
from bot.advisor.similarity import CategoryProfiles

# A message scoring at least THRESHOLD is a scam; HIGH or urgent makes it high risk;
# at least LOW (below THRESHOLD) is unsure, and the reply asks one question.
THRESHOLD = 2.5
HIGH = 6.0
LOW = 1.5
URGENCY_BONUS = 1.5
# When unsure, the chosen entry's own question is asked only if its signals weigh at least this much.
ENTRY_QUESTION_SCORE = 2.0
# Money already gone raises the score only when the message already points at a scam this much.
URGENCY_EVIDENCE = 2.0
# A question about scams that names a type this clearly ("杀猪盘是什么意思") is answered as that type;
# only general questions ("怎么防范电信诈骗") are lowered as learning questions.
NAMED_TYPE_SCORE = 3.0
# Ordinary dealings stay ordinary under one plain request ("班长让每人交两百"), not under more.
ROUTINE_FIRM_LIMIT = 1.5
# Ordinary dealings whose firm tactics weigh no more than a bare mention of an app, and whose scam
# signals weigh no more than a near miss's do, are at most unsure.
PLAIN_FIRM_LIMIT = 0.5
PLAIN_EVIDENCE_LIMIT = 10.0
# A money or code tactic this strong cancels official-notice wording.
NOTICE_FIRM_TACTIC = 1.5
# Urgency cues that tell of a deed or a payment under way (not just "I was scammed").
DEED_KINDS = ("loss", "exposure", "now")
# How much reading like a category (cosine of character pairs, 0–1) counts when choosing the entry.
SIMILARITY_WEIGHT = 60.0
# A message this similar to a category is on a scam topic even when no signal word matched.
MIN_SIMILARITY = 0.06
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
        self.profiles = CategoryProfiles(knowledge.entries, self.disguises)
        self._first_entry: dict[str, Entry] = {}
        for entry in knowledge.entries:
            self._first_entry.setdefault(entry.category, entry)

    def analyze(self, text: str) -> Analysis:
        folded = fold(text, casefold=False)
        normalized = normalize_folded(folded.casefold(), self.disguises)
        entities = extract_folded(folded)
        blacklisted = self._check_blacklist(entities)
        scores = [item for item in self.matcher.match(normalized, _tags(entities)) if item.score > 0]
        similarity = self.profiles.similarity(normalized)
        evidence = scores[0] if scores else None
        chosen = self._choose(scores, similarity)
        cues = urgency.detect(normalized)
        kinds = context.read(normalized)
        explaining = _asks_about_a_named_scam(kinds, evidence, cues, entities)
        score = self._score(evidence, similarity, entities, cues, normalized, kinds)
        if _teaching_others(kinds, cues, entities):
            score = min(score, LOW)
        if blacklisted:
            score = max(score, HIGH)
        is_scam = score >= THRESHOLD
        urgent = is_scam and bool(cues)
        # A question about a named scam is about it, not an emergency: at most medium risk.
        risk = "medium" if explaining and is_scam else _risk(score, is_scam, urgent, evidence)
        words = _merged_words(chosen, evidence)
        findings = Findings(entry=chosen.entry if chosen else None, risk=risk, urgent=urgent,
                            notes=chosen.notes if chosen else [], words=words,
                            entities=[e for e in entities.all() if e.flags], blacklisted=blacklisted,
                            sure_of_type=chosen is not None and chosen.score >= ENTRY_QUESTION_SCORE,
                            explain=explaining)
        return Analysis(is_scam=is_scam, category=chosen.entry.category if chosen and is_scam else None,
                        risk=risk, urgent=urgent, signals=_signals(words, entities, cues if urgent else []),
                        entities=entities.to_json(), reply=compose(findings, self.knowledge),
                        entry=chosen.entry.id if chosen else None, score=round(score, 2))

    def _choose(self, scores: list[EntryScore], similarity: dict[str, float]) -> EntryScore | None:
        """The category with the most evidence (its best entry's signals plus how much the message
        reads like it), and that category's best-matching entry."""
        best_in: dict[str, EntryScore] = {}
        for item in scores:
            best_in.setdefault(item.entry.category, item)
        candidates = set(best_in) | {name for name, value in similarity.items() if value >= MIN_SIMILARITY}
        if not candidates:
            return None
        category = max(candidates, key=lambda name: (
            (best_in[name].score if name in best_in else 0.0) + SIMILARITY_WEIGHT * similarity.get(name, 0.0), name))
        return best_in.get(category) or EntryScore(self._first_entry[category], 0.0)

    def _score(self, evidence: EntryScore | None, similarity: dict[str, float], entities: Entities,
               cues: list[urgency.Urgency], normalized: str, kinds: set[str]) -> float:
        """Signals of the strongest entry, plus entities, scam tactics and urgency, less benign wording."""
        score = (evidence.score if evidence else 0.0) + _entity_weight(entities)
        on_topic = evidence is not None or max(similarity.values(), default=0.0) >= MIN_SIMILARITY
        tactics = context.tactics_detail(normalized, on_topic)
        tactic, firm = tactics.weight, tactics.firm
        specific = evidence is not None and evidence.score >= NAMED_TYPE_SCORE
        score += _benign_weight(kinds, normalized, entities, firm, specific) + tactic
        ordinary = _ordinary(kinds, tactics, cues, entities)
        if ordinary:
            score += ROUTINE_WEIGHT
        if cues and evidence is not None and evidence.score >= URGENCY_EVIDENCE and not ordinary:
            score += URGENCY_BONUS
        if _victim(cues) and not context.stopped_in_time(kinds) and not ordinary:
            score = max(score, THRESHOLD)
        # Money, a code or a password going to someone suspicious is urgent even when the scam type
        # is unclear: a deed or a payment under way, plus a scam topic or a scam tactic.
        if (any(cue.kind in DEED_KINDS for cue in cues) and not context.stopped_in_time(kinds) and not ordinary
                and (score >= LOW and tactic > 0 and on_topic or context.suspect_payee(kinds))):
            score = max(score, THRESHOLD)
        # A general question about preventing scams, or news of someone else's scam stopped in time,
        # is at most unsure, however plainly it names the scam.
        if general_question(kinds, specific) or context.others_story(kinds):
            score = min(score, LOW)
        # Ordinary dealings with no request for money or a code, nothing paid right now and no suspicious
        # link or number are at most unsure, however plainly they name a scam's topic ("在个税app里自己申请的
        # 退税，到账了"); so is a request from someone checked and found genuine.
        if ordinary and _plainly_ordinary(evidence, entities, tactics, kinds):
            score = min(score, LOW)
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


def _entity_weight(entities: Entities) -> float:
    """What the found phones, links, cards and ids add (flagged links and phones add more)."""
    total = 0.0
    for entity in entities.all():
        flagged, plain = ENTITY_WEIGHTS.get(entity.kind, (0.0, 0.0))
        total += flagged if entity.flags and entity.kind not in ("card", "qq", "wechat") else plain
    return total


def _asks_about_a_named_scam(kinds: set[str], evidence: EntryScore | None, cues: list[urgency.Urgency],
                             entities: Entities) -> bool:
    """"杀猪盘是什么意思", "老年人怎么防保健品诈骗": a question about a clearly named scam, with nothing
    happening to the resident (no deed, no link, number or amount, nobody who contacted them). The type
    is explained, without an alarm; it still counts as being about that scam, unless it is asked in order
    to teach others or to follow the news ("给学生讲讲"), which is no consultation at all."""
    if context.asks_to_teach(kinds):
        cues = _besides_others_losses(cues)
    return (evidence is not None and evidence.score >= NAMED_TYPE_SCORE
            and (context.asks_what_it_is(kinds) or context.learning_question(kinds) or context.asks_to_teach(kinds))
            and _nothing_happening(kinds, cues, entities))


def _teaching_others(kinds: set[str], cues: list[urgency.Urgency], entities: Entities) -> bool:
    """Asked in order to teach others or to follow the news ("想提醒我爸妈，有什么宣传资料"), with nothing
    happening to the resident: no consultation, whatever scam it names, however clearly."""
    return context.asks_to_teach(kinds) and _nothing_happening(kinds, _besides_others_losses(cues), entities)


def _besides_others_losses(cues: list[urgency.Urgency]) -> list[urgency.Urgency]:
    """In a request to teach, others being scammed is why a talk is wanted ("好几个老人被骗了，想请民警来讲讲")."""
    return [cue for cue in cues if cue.kind != "victim"]


def _nothing_happening(kinds: set[str], cues: list[urgency.Urgency], entities: Entities) -> bool:
    """Nobody contacted the resident, nothing was done or paid, and no link, number or amount was given."""
    return not context.concerns_resident(kinds) and not cues and next(entities.all(), None) is None


def _ordinary(kinds: set[str], tactics: context.Tactics, cues: list[urgency.Urgency], entities: Entities) -> bool:
    """Ordinary dealings (a known shop, the official app, family in person) with at most one plain
    request, or a request from someone checked and found genuine, unless it crosses a red line (a code
    handed over, a "safe" account, a fee first, secrecy: "官网上查了确实有这个活动，要先交税"). Not when
    money is being paid right now ("工资卡也绑进去了，还在往里充钱"), nor when a code or card details went
    and money followed ("点链接填了卡号和验证码，工资卡里少了8000"), nor with a suspicious link or number."""
    if _checked_genuine(kinds, tactics):
        return True
    cue_kinds = {cue.kind for cue in cues}
    paying_now = "now" in cue_kinds
    gave_and_lost = "exposure" in cue_kinds and bool(cue_kinds & {"loss", "victim"})
    return (context.routine(kinds) and tactics.firm <= ROUTINE_FIRM_LIMIT and not paying_now and not gave_and_lost
            and not _flagged_contact(entities))


def _plainly_ordinary(evidence: EntryScore | None, entities: Entities, tactics: context.Tactics,
                      kinds: set[str]) -> bool:
    """Ordinary dealings that are no near miss of a scam: no flagged link or number, and either no firm
    tactic and few scam signals, or a genuine asker checked."""
    if _flagged_contact(entities):
        return False
    if _checked_genuine(kinds, tactics):
        return True
    return tactics.firm <= PLAIN_FIRM_LIMIT and (evidence is None or evidence.score <= PLAIN_EVIDENCE_LIMIT)


def _checked_genuine(kinds: set[str], tactics: context.Tactics) -> bool:
    """The asker was checked and found genuine, and asks for nothing a genuine party never asks."""
    return context.verified(kinds) and not tactics.red_line


def _victim(cues: list[urgency.Urgency]) -> bool:
    """The resident says they were scammed, or both gave away a code or card details and lost money."""
    kinds = {cue.kind for cue in cues}
    return "victim" in kinds or {"exposure", "loss"} <= kinds


def _flagged_contact(entities: Entities) -> bool:
    """A link or phone number in the message carries a red flag."""
    return any(entity.flags for entity in (*entities.urls, *entities.phones))


def _benign_weight(kinds: set[str], normalized: str, entities: Entities, firm: float, specific: bool) -> float:
    """Official-notice wording, general questions about scams and service questions lower the score.
    Notice wording quoted by someone who also asks for money or a code ("要我重新付款，然后原路退回")
    is no notice."""
    total = 0.0
    if context.official_notice(kinds) and not (firm >= NOTICE_FIRM_TACTIC and context.asked_of_resident(normalized)):
        total += OFFICIAL_NOTICE_WEIGHT
        if normalized.startswith("【") and not entities.urls and not entities.phones:
            total += SIGNED_NOTICE_WEIGHT
    if general_question(kinds, specific):
        total += LEARNING_WEIGHT
    if context.service_question(kinds):
        total += SERVICE_WEIGHT
    return total


def general_question(kinds: set[str], specific: bool) -> bool:
    """A question about scams in general ("怎么防范电信诈骗"); one about a clearly named scam ("杀猪盘是什么意思",
    "怎么防AI换脸借钱") is about that scam."""
    return context.learning_question(kinds) and not specific


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


def _merged_words(chosen: EntryScore | None, evidence: EntryScore | None) -> list[str]:
    words = (chosen.words if chosen else []) + (evidence.words if evidence and evidence is not chosen else [])
    return list(dict.fromkeys(words))


def _signals(words: list[str], entities: Entities, cues: list[urgency.Urgency]) -> list[str]:
    """What the advisor saw: matched words, flagged entities, and urgency cues."""
    seen = list(words)
    for entity in entities.all():
        seen += [f"{entity.raw}：{reason}" for reason in entity.flags]
    seen += [f"紧急：{cue.cue}" for cue in cues]
    return list(dict.fromkeys(seen))
