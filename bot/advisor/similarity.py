"""Which category a message reads like: character-bigram profiles of each category's entries.

Residents describe scams in their own words; where no signal word names the type, the overlap of
character pairs with the entries' scripts, titles and signal words still points to the category.
Profiles are kept per category (18 of them), so the cost does not grow with the number of entries.
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter, defaultdict

from bot.advisor.knowledge import Entry
from bot.advisor.normalize import DisguiseTable, normalize

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]{2,}")
# Signal words describe a type more sharply than its prose, so they count this many times.
SIGNAL_BOOST = 3
TOP_CATEGORIES = 3


def bigrams(text: str) -> Counter:
    """Character pairs inside each run of Chinese, and whole Latin words."""
    grams: Counter = Counter()
    for run in _CJK_RUN.findall(text):
        if run.isascii():
            grams[run] += 1
        else:
            grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def grams_of(text: str) -> set[str]:
    """The distinct pairs and Latin words of a message."""
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if run.isascii():
            grams.add(run)
        else:
            grams.update(map(operator.add, run, run[1:]))
    return grams


class CategoryProfiles:
    """TF-IDF bigram profiles per category, and cosine similarity of a message to each."""

    def __init__(self, entries: list[Entry], disguises: DisguiseTable):
        counts: dict[str, Counter] = defaultdict(Counter)
        for entry in entries:
            counts[entry.category].update(_entry_grams(entry, disguises))
        documents = Counter(gram for grams in counts.values() for gram in grams)
        total = len(counts) or 1
        index: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for category, grams in counts.items():
            weights = {g: (1 + math.log(n)) * math.log(1 + total / documents[g]) for g, n in grams.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for gram, weight in weights.items():
                index[gram].append((category, weight / norm))
        # Only the categories a pair speaks for most are kept, so a message costs the same at any size.
        idf = {gram: math.log(1 + total / n) for gram, n in documents.items()}
        # Per pair: its squared idf (for the message's norm) and idf × profile weight per category.
        self._index = {gram: (idf[gram] ** 2, tuple((category, idf[gram] * weight) for category, weight in
                                                     sorted(pairs, key=lambda pair: -pair[1])[:TOP_CATEGORIES]))
                       for gram, pairs in index.items()}

    def similarity(self, text: str) -> dict[str, float]:
        """Cosine similarity of a normalized message (its set of pairs) to each category it shares one with."""
        scores: dict[str, float] = defaultdict(float)
        norm = 0.0
        index = self._index
        for gram in grams_of(text):
            known = index.get(gram)
            if known is None:
                continue
            norm += known[0]
            for category, weight in known[1]:
                scores[category] += weight
        if not scores:
            return {}
        scale = 1 / math.sqrt(norm)
        return {category: value * scale for category, value in scores.items()}


def _entry_grams(entry: Entry, disguises: DisguiseTable) -> Counter:
    prose = " ".join([entry.title, entry.script, entry.question])
    grams = bigrams(normalize(prose, disguises))
    words = " ".join(word for signal in entry.signals if signal.weight > 0 for word in signal.words)
    for gram, count in bigrams(normalize(words, disguises)).items():
        grams[gram] += count * SIGNAL_BOOST
    return grams
