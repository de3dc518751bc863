"""A concept's description for the offline planner: one or two of its most central
sentences, its first definition first, never one that needs its surroundings."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from learningos.ai.offline import keyphrases as kp
from learningos.ai.offline import structure as st
from learningos.ai.offline.keyphrases import Gram

if TYPE_CHECKING:
    from learningos.ai.offline.planner import Draft

_DEFINITION = re.compile(
    r"\b(?:is|are) (?:a|an|the|called|defined)\b|\bcalled\b|\brefers? to\b|\bmeans\b"
    r"|\bheißt\b|\bnennt man\b",
    re.I,
)


_FIRST_PERSON = re.compile(r"\b(?:I|I['’](?:m|ll|ve|d)|my|me|mine)\b")
_PERSONAL = re.compile(r"\b(?:we|us|our|you|your)\b", re.I)


def _central_sentences(
    draft: Draft, weights: dict[Gram, float], lexicon: kp.Lexicon, title: str = ""
) -> list[tuple[str, int, float]]:
    """The concept's description-worthy sentences with their positions and scores, most
    central first.

    Centrality is the cosine of a sentence's words to the concept's TF-IDF profile, with a
    bonus for definitions and for coming early (a textbook defines a term where it brings it
    in) and for naming the concept's title (a concept that absorbed a short neighbouring
    section is still described by its own sentences). Plain-prose sentences first; a
    mathematical text may have none, and then sentences with a symbol or two are taken."""
    named = _Named.of(title, lexicon)
    profile = {g[0]: n * weights.get(g, 1.0) for g, n in draft.grams.items() if len(g) == 1}
    norm = math.sqrt(sum(v * v for v in profile.values())) or 1.0
    sentences = list(dict.fromkeys(s for u in draft.units for s in u.sentences))
    headings = [st.strip_numbering(u.title) for u in draft.units if u.title]
    for strict in (True, False):
        scored = [
            (_centrality(s, position, profile, norm, lexicon) * _names(s, named, lexicon),
             position, s)
            for position, s in enumerate(sentences)
            if kp.is_description_sentence(s, strict=strict) and not _runs_into(s, headings)
        ]  # fmt: skip
        scored = [item for item in scored if item[0] > 0]
        # A textbook defines a term where it brings it in: the first definition counts most.
        first = next((i for i, (_, _, s) in enumerate(scored) if _defines(s, named, lexicon)), -1)
        if first >= 0:
            score, position, sentence = scored[first]
            scored[first] = (score * 1.4, position, sentence)
        if scored:
            scored.sort(key=lambda item: (-item[0], item[1]))
            return [(s, position, score) for score, position, s in scored]
    return []


def _runs_into(sentence: str, headings: list[str]) -> bool:
    """A heading the text extraction ran into the sentence ("Variables, expressions and
    statements One of the most …")."""
    return any(
        len(h) > 3 and re.match(re.escape(h) + r"\s+[A-Z]", sentence) is not None for h in headings
    )


@dataclass(frozen=True)
class _Named:
    """How a concept's title shows in a sentence: its words' stems, and its acronym."""

    stems: frozenset[str]
    acronym: str

    @classmethod
    def of(cls, title: str, lexicon: kp.Lexicon) -> _Named:
        words = [w for run in lexicon.runs(title) for w in run]
        acronym = "".join(w[0] for w in words).lower() if len(words) >= 2 else ""
        return cls(frozenset(kp.word_key(w) for w in words), acronym)

    def share(self, sentence: str, lexicon: kp.Lexicon) -> float:
        """The share of the title's words a sentence uses; all of them when it uses the
        title's acronym ("CDF" for "Cumulative distribution functions")."""
        if not self.stems:
            return 0.0
        if self.acronym and re.search(rf"\b{self.acronym}s?\b", sentence, re.I):
            return 1.0
        words = {kp.word_key(w) for run in lexicon.runs(sentence) for w in run}
        return len(self.stems & words) / len(self.stems)


def _names(sentence: str, named: _Named, lexicon: kp.Lexicon) -> float:
    """A bonus for a sentence that uses the words of the concept's title, a bigger one for a
    sentence that defines it ("A histogram is a graph that …")."""
    if not named.stems:
        return 1.0
    share = named.share(sentence, lexicon)
    return (1.0 + 0.8 * share) * (2.0 if _defines(sentence, named, lexicon) else 1.0)


def _defines(sentence: str, named: _Named, lexicon: kp.Lexicon) -> bool:
    """Whether a sentence defines the concept: a definition naming most of its title."""
    if not named.stems or not _DEFINITION.search(sentence) or _FIRST_PERSON.search(sentence):
        return False
    return named.share(sentence, lexicon) >= 0.5


def _centrality(
    sentence: str, position: int, profile: dict[str, float], norm: float, lexicon: kp.Lexicon
) -> float:
    terms = sorted({kp.word_key(w) for run in lexicon.runs(sentence) for w in run})
    if not terms:
        return 0.0
    score = sum(profile.get(t, 0.0) for t in terms) / (norm * math.sqrt(len(terms)))
    if _DEFINITION.search(sentence):
        score *= 1.3
    if re.search(r"\d", sentence):  # a figure from an example, not the idea itself
        score *= 0.8
    if kp.has_identifier(sentence):  # about the code rather than the idea
        score *= 0.4
    if _FIRST_PERSON.search(sentence):  # the author narrating ("I compute …")
        score *= 0.3
    elif _PERSONAL.search(sentence):  # a walk-through ("we can …"), seldom a definition
        score *= 0.7
    return score * (1.0 + 0.15 / (1 + position / 5))


DESCRIPTION_CHARS = 320
SECOND_SENTENCE = 0.6  # of the first sentence's score, for a second one to be worth reading


def _description(ranked: list[tuple[str, int, float]]) -> str:
    """The most central sentence (a definition of the concept when the text gives one) and,
    when it fits and says nearly as much, the next most central, in reading order: one or
    two sentences."""
    if not ranked:
        return ""
    first, position, score = ranked[0]
    chosen = [(first, position)]
    for sentence, other, value in ranked[1:4]:
        if value < SECOND_SENTENCE * score:
            break
        if len(first) + len(sentence) + 1 <= DESCRIPTION_CHARS:
            chosen.append((sentence, other))
            break
    return " ".join(s for s, _ in sorted(chosen, key=lambda item: item[1]))


def describe(draft: Draft, weights: dict[Gram, float], lexicon: kp.Lexicon) -> str:
    """The description of a concept, by its structural title ("" when it has none)."""
    return _description(_central_sentences(draft, weights, lexicon, draft.title or ""))
