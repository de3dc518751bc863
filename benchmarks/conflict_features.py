"""An experiment (issue 11), kept out of the product because it did not carry over to the
held-out book: whether an answer sentence says something its closest material statement
contradicts, as a probability from a small logistic model over pair features. See
benchmarks/README.md (issue 11) for what it measured; benchmarks/conflict_fit.py fits it.

The features compare the answer sentence with the statement it is aligned with (MiniLM
cosine) and with the concept's material as a whole:

- cosine: how close the two sentences are;
- negation, opposite, number: the polarity cues of `polarity` (a negation the other lacks,
  an opposite word, a number or number word the statement does not have);
- swapped_in: the answer's words that the statement lacks but the material uses as its own
  terms (a term put in the place of another one: "the modulus operator … rounds down");
- swapped_out: the statement's terms the answer lacks;
- shared: word overlap of the two sentences (Jaccard on stems);
- reordered: among the terms both use, the share of pairs in the opposite order ("the
  existing class is the child and the new class the parent");
- terms_in, terms_out: how many such terms (up to 3) the answer puts in and leaves out, and
  swap: whether it does both while sharing most of its words with the statement.

The model is fitted by benchmarks/conflict_fit.py on pairs generated
from a book's own true sentences (negated, antonyms flipped, a term swapped for another term
of the same material, two terms exchanged, a number changed) against the true sentences
themselves, lightly edited, and aligned with the rest of their material when their own
sentence is left out. It never sees a learner's answer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from learningos.ai.offline import nlp
from learningos.ai.offline.polarity import flipped_words, negation_flip, numbers

FEATURES = (
    "cosine",
    "negation",
    "opposite",
    "number",
    "swapped_in",
    "swapped_out",
    "shared",
    "reordered",
    "terms_in",
    "terms_out",
    "swap",
)
TERM_MIN_COUNT = 2  # uses in the material from which a word counts as one of its terms

_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twenty": "20",
    "hundred": "100",
    "thousand": "1000",
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)


def stated_numbers(text: str) -> set[str]:
    """Numbers in digits and the common number words ("three" = "3"); "one" is left out, as
    it is mostly a pronoun ("the new one")."""
    found = numbers(text)
    for word in _NUMBER_WORD.findall(text):
        if word.lower() != "one":
            found.add(_NUMBER_WORDS[word.lower()])
    return found


@dataclass(frozen=True)
class Material:
    """What the pair features need to know about the concept's material as a whole."""

    counts: Counter[str]  # stem -> uses in the material
    numbers: frozenset[str]

    @classmethod
    def of(cls, texts: Sequence[str]) -> Material:
        counts: Counter[str] = Counter()
        found: set[str] = set()
        for text in texts:
            counts.update(nlp.stem(w) for w in nlp.content_words(text))
            found |= stated_numbers(text)
        return cls(counts, frozenset(found))

    def without(self, text: str) -> Material:
        """The material with one of its sentences left out."""
        counts = self.counts.copy()
        counts.subtract(nlp.stem(w) for w in nlp.content_words(text))
        return Material(+counts, self.numbers)

    def is_term(self, stem: str) -> bool:
        return self.counts.get(stem, 0) >= TERM_MIN_COUNT


def _stems_in_order(text: str) -> list[str]:
    return [nlp.stem(w) for w in nlp.content_words(text)]


def _reordered(ours: list[str], theirs: list[str], material: Material) -> float:
    """Share of the pairs of terms both sentences use whose order differs."""
    shared = [s for s in dict.fromkeys(ours) if s in set(theirs) and material.is_term(s)]
    if len(shared) < 2:
        return 0.0
    where_a = {s: ours.index(s) for s in shared}
    where_b = {s: theirs.index(s) for s in shared}
    pairs = discordant = 0
    for i, x in enumerate(shared):
        for y in shared[i + 1 :]:
            pairs += 1
            if (where_a[x] - where_a[y]) * (where_b[x] - where_b[y]) < 0:
                discordant += 1
    return discordant / pairs


def pair_features(said: str, statement: str, cosine: float, material: Material) -> dict[str, float]:
    """The features of one answer sentence against one material statement."""
    ours, theirs = _stems_in_order(said), _stems_in_order(statement)
    a, b = set(ours), set(theirs)
    mine_numbers, their_numbers = stated_numbers(said), stated_numbers(statement)
    number = bool(mine_numbers - material.numbers) or bool(
        mine_numbers and their_numbers and not mine_numbers & their_numbers
    )
    terms_in = sum(material.is_term(s) for s in a - b)
    terms_out = sum(material.is_term(s) for s in b - a)
    shared = len(a & b) / max(1, len(a | b))
    return {
        "cosine": cosine,
        "negation": float(negation_flip(said, statement) is not None),
        "opposite": float(flipped_words(said, statement) is not None),
        "number": float(number),
        "swapped_in": terms_in / max(1, len(a)),
        "swapped_out": terms_out / max(1, len(b)),
        "shared": shared,
        "reordered": _reordered(ours, theirs, material),
        "terms_in": min(terms_in, 3) / 3,
        "terms_out": min(terms_out, 3) / 3,
        "swap": shared * float(terms_in >= 1 and terms_out >= 1),
    }


@dataclass
class Model:
    mean: list[float]
    scale: list[float]
    weights: list[float]
    intercept: float
    threshold: float  # probability from which a pair counts as a contradiction
    extra: dict[str, Any]

    def probability(self, feats: dict[str, float]) -> float:
        z = self.intercept
        for name, mu, sd, w in zip(FEATURES, self.mean, self.scale, self.weights, strict=True):
            z += w * (feats[name] - mu) / sd
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Model:
        if tuple(body["features"]) != FEATURES:
            raise ValueError("conflict model features do not match this version")
        known = {"features", "mean", "scale", "weights", "intercept", "threshold"}
        return cls(
            mean=[float(v) for v in body["mean"]],
            scale=[float(v) for v in body["scale"]],
            weights=[float(v) for v in body["weights"]],
            intercept=float(body["intercept"]),
            threshold=float(body["threshold"]),
            extra={k: v for k, v in body.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        body = dict(self.extra)
        body.update(
            features=list(FEATURES),
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            intercept=self.intercept,
            threshold=self.threshold,
        )
        return body


RIVAL_MARGIN = 0.05  # a statement this much less close that agrees outweighs a disagreement
RIVALS = 3


def sentence_conflict(
    said: str,
    row: Sequence[float],
    statements: Sequence[str],
    material: Material,
    model: Model,
) -> tuple[float, int]:
    """The probability that `said` contradicts the material, and the statement it is read
    against (its closest). `row` holds its cosines with `statements`. A statement nearly as
    close that the model reads as agreeing vetoes: the lowest probability of those counts."""
    order = sorted(range(len(row)), key=lambda j: -row[j])[:RIVALS]
    first = order[0]
    close = [j for j in order if row[j] >= row[first] - RIVAL_MARGIN]
    found = [
        model.probability(pair_features(said, statements[j], float(row[j]), material))
        for j in close
    ]
    return min(found), first


__all__ = [
    "FEATURES",
    "Material",
    "Model",
    "pair_features",
    "sentence_conflict",
    "stated_numbers",
]
