"""Prerequisites for the offline planner: B needs A when B keeps using a term A introduced."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from learningos.ai.offline import keyphrases as kp
from learningos.ai.offline import structure as st
from learningos.ai.offline.keyphrases import Gram

if TYPE_CHECKING:
    from learningos.ai.offline.planner import Draft

MAX_PREREQUISITES = 3
GENERIC_SHARE = 0.4  # a term used by more of the concepts than this ties none of them
USES = 3  # occurrences that make a use substantive (fewer when the description uses it)
SHORT_CONCEPT_WORDS = 600
SMALL_MAP_USES = 4  # in a map of a few concepts, a term may be used by this many and still tie
_INTRODUCES = re.compile(
    r"\b(?:called|known as|named|termed|refer(?:s|red)? to as|heißt|nennt man)\s+(?:an?\s+|the\s+)?"
    r"[“\"‘']?([^\W\d_][\w\-’' ]{1,60})",
    re.I,
)
_DEFINES = re.compile(
    r"^(?:(?:an?|the)\s+)?([^\W\d_][\w\-’' ]{1,50}?)(?:\s+\([^)]{1,20}\))?,?\s+"
    r"(?:is|are)\s+(?:an?|the|called|defined)\b",
    re.I,
)


def link_prerequisites(
    drafts: list[Draft], weights: dict[Gram, float], lexicon: kp.Lexicon
) -> None:
    """B needs A when B's material keeps using a term A introduced: a term of A's title or
    one A defines ("… is called the standard deviation"), not in substantive use before A.
    Terms most concepts use ("value", "data") tie nothing. At most three, those B leans on
    most; a link another implies (B needs A and C, and C needs A) is left out."""
    n = len(drafts)
    used_by = Counter(g for d in drafts for g, count in d.grams.items() if count >= 2)
    introduced: dict[Gram, int] = {}
    for index, draft in enumerate(drafts):
        for term in _introduced_terms(draft, lexicon):
            # A single word spreads wider than a phrase before it is a term of the book's.
            share = GENERIC_SHARE if len(term) > 1 else GENERIC_SHARE * 0.75
            if term in introduced or used_by[term] > max(SMALL_MAP_USES, share * n):
                continue
            if any(drafts[i].grams.get(term, 0) >= _uses(drafts[i]) for i in range(index)):
                continue  # in use before this concept: not introduced here
            introduced[term] = index
    needs: list[set[int]] = []
    for index, draft in enumerate(drafts):
        described = draft.description.lower()
        votes: defaultdict[int, float] = defaultdict(float)
        for term, source in introduced.items():
            if source >= index:
                continue
            count = draft.grams.get(term, 0)
            in_description = f" {' '.join(term)} " in _stemmed(described, lexicon)
            if count >= _uses(draft) or (in_description and count >= 2):
                votes[source] += math.log1p(count) * weights.get(term, 1.0) * len(term)
        ranked = sorted(votes, key=lambda i: (-votes[i], -i))
        implied = {a for i in ranked for a in _ancestors(i, needs)}
        draft.prerequisites = [i for i in ranked if i not in implied][:MAX_PREREQUISITES]
        needs.append(set(draft.prerequisites))
        draft.depth = 1 + max((drafts[i].depth for i in draft.prerequisites), default=-1)


def _introduced_terms(draft: Draft, lexicon: kp.Lexicon) -> set[Gram]:
    """The terms a concept brings in: its title's (whole, and each idea it joins) and the
    ones its sentences define, as counted in its text."""
    # Phrases among its best candidates; single words only among its key phrases.
    own = {g for g, _ in draft.candidates[:12] if len(g) > 1} | set(draft.key_phrases)
    named = [_lead_gram(p, lexicon) for p in [draft.title, *st.title_parts(draft.title)]]
    titled = {g for g in named if g and draft.grams.get(g, 0) >= 1}
    defined: set[Gram] = set()
    for sentence in (s for u in draft.units for s in u.sentences):
        for pattern in (_INTRODUCES, _DEFINES):
            match = pattern.search(sentence)
            gram = _lead_gram(match.group(1), lexicon) if match else None
            if gram in own:  # a term the concept dwells on, not any word defined in passing
                defined.add(gram)
    return titled | {t for t in defined if draft.grams.get(t, 0) >= _uses(draft)}


def _uses(draft: Draft) -> int:
    """Occurrences that make a use substantive: fewer in a short concept."""
    return USES if draft.words >= SHORT_CONCEPT_WORDS else USES - 1


def _lead_gram(phrase: str, lexicon: kp.Lexicon) -> Gram | None:
    """The first run of content words of a phrase, as a gram of at most three stems."""
    runs = lexicon.runs(phrase)
    return tuple(kp.word_key(w) for w in runs[0][: kp.MAX_GRAM]) if runs else None


def _stemmed(text: str, lexicon: kp.Lexicon) -> str:
    """The text's runs of content words as stems, padded: " kernel densiti | estim "."""
    runs = lexicon.runs(text)
    return " " + " | ".join(" ".join(kp.word_key(w) for w in run) for run in runs) + " "


def _ancestors(index: int, needs: list[set[int]]) -> set[int]:
    """Every concept `index` needs, directly or through others."""
    seen: set[int] = set()
    stack = list(needs[index])
    while stack:
        i = stack.pop()
        if i not in seen:
            seen.add(i)
            stack.extend(needs[i])
    return seen
