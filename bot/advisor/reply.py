"""Compose the expert desk's answer from knowledge-base texts, within WeChat's byte limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.advisor.entities import Entity
from bot.advisor.knowledge import Entry, KnowledgeBase
from bot.textfit import REPLY_LIMIT_BYTES, fit, utf8_len

# (red flags, actions, ways to avoid) kept at each step when a reply is too long.
_TRIMS = ((5, 4, 3), (4, 3, 2), (3, 2, 2), (2, 2, 2), (1, 1, 1))


@dataclass
class Findings:
    """What the advisor saw, in the shape the reply needs."""

    entry: Entry | None
    risk: str
    urgent: bool
    notes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    blacklisted: bool = False
    sure_of_type: bool = False  # the entry's own signals are strong enough to ask its question
    explain: bool = False  # a question about what a named scam is: explain the type, no alarm


def fill(template: str, **values: str) -> str:
    """Put values into {name} placeholders; operators edit these texts, so stray braces must not break."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def red_flags(findings: Findings, knowledge: KnowledgeBase) -> list[str]:
    """Resident-readable red flags: signal notes first, then the words seen, then flagged entities."""
    flags = list(dict.fromkeys(findings.notes))
    plain = [word for word in findings.words if "+" not in word]
    if plain:
        flags.insert(0, "出现了“" + "”“".join(dict.fromkeys(plain[:6])) + "”等说法")
    for entity in findings.entities:
        if entity.known_bad is not None:
            record = entity.known_bad
            flags.insert(0, fill(knowledge.text("known_bad"), value=entity.raw,
                                 note=str(record.get("note") or record.get("source") or "")))
        for reason in entity.flags:
            flags.append(f"{entity.raw}：{reason}")
    return flags


def _bullets(items: list[str], numbered: bool = False) -> str:
    return "\n".join((f"{index}. " if numbered else "· ") + item for index, item in enumerate(items, 1))


def _verdict(findings: Findings, knowledge: KnowledgeBase) -> str:
    entry = findings.entry
    if entry is None:
        return knowledge.text("verdict_blacklist" if findings.blacklisted else "verdict_general")
    key = "verdict_high" if findings.risk == "high" else "verdict_medium"
    return knowledge.render_once((key, entry.id), lambda: fill(knowledge.text(key), category=entry.category,
                                                                title=entry.title))


def _entry_section(knowledge: KnowledgeBase, entry: Entry, part: str, count: int) -> str:
    """An entry's "what to do" (numbered) or "how to avoid" section, with its heading."""
    def build() -> str:
        if part == "actions":
            return knowledge.text("actions_heading") + "\n" + _bullets(entry.actions[:count], numbered=True)
        return knowledge.text("avoid_heading") + "\n" + _bullets(entry.avoid[:count])
    return knowledge.render_once((part, entry.id, count), build)


def _scam_sections(findings: Findings, knowledge: KnowledgeBase, sizes: tuple[int, int, int]) -> list[str]:
    flag_count, action_count, avoid_count = sizes
    sections = [knowledge.text("emergency")] if findings.urgent else []
    sections.append(_verdict(findings, knowledge))
    flags = red_flags(findings, knowledge)[:flag_count]
    if flags:
        sections.append(knowledge.text("flags_heading") + "\n" + _bullets(flags))
    entry = findings.entry
    if entry is not None:
        sections.append(_entry_section(knowledge, entry, "actions", action_count))
        sections.append(_entry_section(knowledge, entry, "avoid", avoid_count))
    elif not findings.urgent:
        sections.append(knowledge.text("actions_heading") + "\n"
                        + _bullets([knowledge.text("sanbuyiduo")], numbered=True))
    sections.append(knowledge.text("hotlines"))
    return sections


def compose_scam(findings: Findings, knowledge: KnowledgeBase) -> str:
    """Emergency steps (if urgent), verdict, red flags, what to do, how to avoid, hotlines."""
    text = ""
    for sizes in _TRIMS:
        text = "\n\n".join(_scam_sections(findings, knowledge, sizes))
        if utf8_len(text) <= REPLY_LIMIT_BYTES:
            return text
    return fit(text)


def compose_unsure(findings: Findings, knowledge: KnowledgeBase) -> str:
    """Say it is unclear, ask one helpful question, show what was seen, and the basic advice."""
    question = (findings.entry.question if findings.entry and findings.entry.question and findings.sure_of_type
                else knowledge.text("unsure_question"))
    sections = [fill(knowledge.text("unsure"), question=question)]
    flags = red_flags(findings, knowledge)[:3]
    if flags:
        sections.append(knowledge.text("flags_heading") + "\n" + _bullets(flags))
    sections += [knowledge.text("sanbuyiduo"), knowledge.text("hotlines")]
    return fit("\n\n".join(sections))


def compose_explanation(entry: Entry, knowledge: KnowledgeBase) -> str:
    """What the scam type is and why it is a scam, how to avoid it, and the hotlines."""
    def build() -> str:
        text = ""
        for avoid_count in (3, 2, 1):
            sections = [fill(knowledge.text("explain"), category=entry.category, title=entry.title,
                             script=entry.script, why=entry.why),
                        knowledge.text("avoid_heading") + "\n" + _bullets(entry.avoid[:avoid_count]),
                        knowledge.text("explain_closing"), knowledge.text("hotlines")]
            text = "\n\n".join(sections)
            if utf8_len(text) <= REPLY_LIMIT_BYTES:
                return text
        return fit(text)
    return knowledge.render_once(("explain", entry.id), build)


def compose(findings: Findings, knowledge: KnowledgeBase) -> str:
    if findings.explain and findings.entry is not None:
        return compose_explanation(findings.entry, knowledge)
    if findings.risk in ("high", "medium"):
        return compose_scam(findings, knowledge)
    if findings.risk == "low":
        return compose_unsure(findings, knowledge)
    return fit(knowledge.text("default"))
