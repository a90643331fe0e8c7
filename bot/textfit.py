"""Fit reply text into WeChat's byte limit without cutting a character or a sentence."""

from __future__ import annotations

import re

REPLY_LIMIT_BYTES = 2000
ELLIPSIS = "……"
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _XML_INVALID.sub("", text)


def fit(text: str, limit: int = REPLY_LIMIT_BYTES) -> str:
    """Return text unchanged if it fits; else whole sentences up to the limit, then an ellipsis."""
    if utf8_len(text) <= limit:
        return text
    budget = limit - utf8_len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for sentence in _SENTENCE_END.split(text):
        size = utf8_len(sentence)
        if used + size > budget:
            break
        kept.append(sentence)
        used += size
    if kept:
        return "".join(kept).rstrip() + ELLIPSIS
    return _cut_characters(text, budget) + ELLIPSIS


def _cut_characters(text: str, budget: int) -> str:
    """Last resort for one enormous sentence: whole characters only."""
    return text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
