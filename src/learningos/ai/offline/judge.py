"""What kind of answer an explanation is: correct, partial, contradictory, irrelevant or a
non-answer, from signals the offline Examiner can measure against the material.

- topicality: how close the answer's sentences come to the concept's own sentences (MiniLM),
  compared with how close the whole answer comes to the rest of the material (other concepts,
  other chapters). An answer nearer to another part of the book is about something else.
- alignment: each answer sentence is paired with the material sentences it is closest to.
- flips: an aligned pair that disagrees in polarity (one says "not", "never", "cannot" and the
  other does not), uses opposite words ("mutable" / "immutable", "always" / "never", "larger"
  / "smaller"), or puts a different number where the material has one. A word the answer uses
  whose opposite the material uses and which the material itself never uses counts too.
- support: the share of the answer's sentences that some material sentence backs.

Blocking (CPU work); embedding goes through the caller's `embed`, which caches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from learningos.ai.inputs import ExaminerInput, Passage
from learningos.ai.offline import nlp
from learningos.ai.offline.polarity import flipped_words, negation_flip, numbers

Embed = Callable[[list[str]], np.ndarray]

MAX_MATERIAL_SENTENCES = 120  # material sentences compared with (the concept's passages)
MAX_OTHERS = 150  # passages of the rest of the material
MAX_ANSWER_SENTENCES = 12
ALIGNED = 0.62  # cosine from which an answer sentence says the same thing as a material one
SUPPORTED = 0.5  # cosine from which a material sentence backs an answer sentence
OFF_TOPIC = 0.3  # best sentence cosine below which the answer is not about the material
FEW_WORDS = 0.5  # word recall below which a far answer is off topic
# A reference of a sentence or two (a model answer) is phrased one way only: an answer far
# from it may still be right (graded answers say so), so distance alone decides nothing there.
FEW_STATEMENTS = 5
FEW_ANSWER_WORDS = 8  # content words: fewer, and matching nothing, is no explanation
NEARER_ELSEWHERE = 0.08  # margin by which another part must be closer to call it off topic
UNSURE = 0.4  # best sentence cosine below which the engine cannot vouch for its score
NEAR = 0.4  # cosine from which a material sentence is on the same point as an answer one
NEGATION_ALIGNED = 0.66  # negations are subtle: only between sentences this close
RIVAL_MARGIN = 0.05  # a statement this much less close that agrees outweighs a disagreement
_MIN_WORDS = 1  # content words a material sentence needs to count as a statement


@dataclass(frozen=True)
class Statement:
    """A sentence of the material with where it comes from."""

    text: str
    page: int | None


@dataclass(frozen=True)
class Flip:
    """An answer sentence that disagrees with a material sentence."""

    said: str  # the learner's sentence
    statement: Statement  # what the material says
    kind: str  # "negation" | "opposite" | "number"
    words: tuple[str, str] = ("", "")  # (the learner's word, the material's) for opposites
    # What the disagreement is about: the negated word's stem, the stems of the two opposite
    # words, or the numbers; a rival statement speaks to the point only if it has one.
    at_issue: frozenset[str] = frozenset()


@dataclass
class Signals:
    topical: float  # best cosine of an answer sentence with a material sentence
    mean_topical: float  # mean over answer sentences of their best cosine
    elsewhere: float  # best cosine of the whole answer with another part of the material
    here: float  # cosine of the whole answer with the closest passage of the concept
    support: float  # share of answer sentences backed by the material
    elsewhere_title: str = ""  # the other part of the material the answer is closest to
    flips: list[Flip] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    best_for: list[int] = field(default_factory=list)  # per answer sentence, closest statement
    sentences: list[str] = field(default_factory=list)  # the answer's sentences and clauses
    statement_vectors: np.ndarray | None = None
    answer_vectors: np.ndarray | None = None

    def off_topic(self, coverage: float, words: int = FEW_ANSWER_WORDS) -> bool:
        """Whether the answer is about something else: no sentence comes near the material
        (of several statements) and few of its words (`coverage`, the examiner's soft word
        recall) do either, or it is a few `words` long; or the
        answer is closer to another part of the material and none of its sentences says
        what this part says."""
        short = len(self.statements) < FEW_STATEMENTS
        if not short and self.topical < OFF_TOPIC and coverage < FEW_WORDS:
            return True
        # A line or two that matches no statement of a real passage is not an explanation
        # of it ("TAB1: explanation sent from the first tab.").
        if not short and self.topical < UNSURE and words < FEW_ANSWER_WORDS:
            return True
        return self.elsewhere > self.here + NEARER_ELSEWHERE and self.topical < ALIGNED

    @property
    def unsure(self) -> bool:
        return self.topical < UNSURE


_HEADING_LINE = re.compile(r"^\s*#{1,6}\s.*$", re.MULTILINE)


def body(passage: Passage) -> str:
    """A passage's text without its heading (a Markdown heading line, or its own title
    repeated at the start)."""
    text = _HEADING_LINE.sub("", passage.text).strip()
    title = passage.title.strip()
    if title and text.startswith(title):
        text = text[len(title) :].lstrip(" .:\n")
    return text


def material_sentences(passages: Sequence[Passage]) -> list[Statement]:
    """Every sentence of the material, in order, each once."""
    found: list[Statement] = []
    seen: set[str] = set()
    for passage in passages:
        for sentence in nlp.sentences(body(passage)):
            if sentence.lower() not in seen:
                seen.add(sentence.lower())
                found.append(Statement(sentence, passage.page_start))
    return found


def statements(passages: Sequence[Passage]) -> list[Statement]:
    """The material's sentences that state something (enough content words), each once."""
    found: list[Statement] = []
    seen: set[str] = set()
    for passage in passages:
        for sentence in nlp.sentences(body(passage)):
            key = sentence.lower()
            if key in seen or len(nlp.content_words(sentence)) < _MIN_WORDS:
                continue
            seen.add(key)
            found.append(Statement(sentence, passage.page_start))
            if len(found) >= MAX_MATERIAL_SENTENCES:
                return found
    return found


def answer_sentences(answer: str) -> list[str]:
    """The answer cut into sentences and, at semicolons and "but", into clauses."""
    parts: list[str] = []
    for sentence in nlp.sentences(answer)[:MAX_ANSWER_SENTENCES]:
        parts.extend(p.strip() for p in re.split(r";\s+|,\s+(?:but|and)\s+|\s+but\s+", sentence))
    return [p for p in parts if nlp.content_words(p)] or [answer.strip()]


def signals(inp: ExaminerInput, embed: Embed) -> Signals:
    """All signals of one answer (one embedding call for what is not cached)."""
    material = statements(inp.passages)
    said = answer_sentences(inp.answer)
    kept = [p for p in inp.others[:MAX_OTHERS] if p.text.strip()]
    others = [_short(p) for p in kept]
    passages = [_short(p) for p in inp.passages if p.text.strip()]
    if not material:
        return Signals(0.0, 0.0, 0.0, 0.0, 0.0)
    whole = " ".join(said)
    texts = [s.text for s in material] + said + [whole] + passages + others
    vectors = embed(texts)
    m = vectors[: len(material)]
    a = vectors[len(material) : len(material) + len(said)]
    w = vectors[len(material) + len(said)]
    rest = vectors[len(material) + len(said) + 1 :]
    p, o = rest[: len(passages)], rest[len(passages) :]
    sims = a @ m.T  # answer sentences × statements
    best = sims.max(axis=1)
    here = float((p @ w).max()) if len(p) else float(best.max())
    elsewhere = float((o @ w).max()) if len(o) else 0.0
    elsewhere_title = kept[int((o @ w).argmax())].title if len(o) else ""
    flips = _flips(said, material, sims)
    flips += _global_opposites(said, material, sims, {f.said for f in flips})
    return Signals(
        topical=float(best.max()),
        mean_topical=float(best.mean()),
        elsewhere=elsewhere,
        here=here,
        support=float(np.mean(best >= SUPPORTED)),
        elsewhere_title=elsewhere_title,
        flips=flips,
        statements=material,
        best_for=[int(i) for i in sims.argmax(axis=1)],
        sentences=said,
        statement_vectors=m,
        answer_vectors=a,
    )


def _short(passage: Passage, limit: int = 600) -> str:
    flat = " ".join(passage.text.split())
    return flat[:limit]


def _flips(said: list[str], material: list[Statement], sims: np.ndarray) -> list[Flip]:
    """Answer sentences whose closest material sentence disagrees with them, unless another
    material sentence nearly as close agrees."""
    stated = set().union(*(numbers(s.text) for s in material))
    found = []
    for i, sentence in enumerate(said):
        order = [int(j) for j in np.argsort(-sims[i])[:3]]
        first = order[0]
        if sims[i, first] < ALIGNED:
            continue
        flip = _disagreement(sentence, material[first])
        unstated = numbers(sentence) - numbers(material[first].text) - stated
        if flip is None or (flip.kind == "number" and not unstated):
            continue
        if flip.kind == "negation" and sims[i, first] < NEGATION_ALIGNED:
            continue
        rivals = [j for j in order[1:] if sims[i, j] >= sims[i, first] - RIVAL_MARGIN]
        if any(_agrees(sentence, material[j], flip) for j in rivals):
            continue
        found.append(flip)
    return found


def _agrees(sentence: str, rival: Statement, flip: Flip) -> bool:
    """Whether a statement nearly as close as the contradicted one backs the sentence: it
    does not disagree with it and speaks of what the disagreement is about (a statement that
    never names the word at issue says nothing either way: "the distribution of adult
    weights on a linear scale with a normal model" neither backs nor refutes "weights are
    normal, not lognormal")."""
    if _disagreement(sentence, rival) is not None:
        return False
    named = {nlp.stem(w) for w in nlp.words(rival.text)} | numbers(rival.text)
    if flip.kind == "opposite":  # it backs the learner's word only if it lacks the other one
        mine, theirs = (nlp.stem(w) for w in flip.words)
        return mine in named and theirs not in named
    return bool(flip.at_issue & named)


_CONTRAST_OPENING = re.compile(
    r"^\s*(?:whereas|where as|while|unlike|in contrast|on the other hand|by contrast|but)\b",
    re.IGNORECASE,
)


def _disagreement(sentence: str, statement: Statement) -> Flip | None:
    """How `sentence` contradicts `statement`, if it does. An opposite word under a negation
    the other lacks is agreement ("can only be accessed inside" / "cannot be accessed
    outside"); a clause that opens with a contrast ("whereas …") speaks of something else."""
    if _CONTRAST_OPENING.match(sentence):
        return None
    pair = flipped_words(sentence, statement.text)
    negation = negation_flip(sentence, statement.text)
    if pair and negation:
        return None
    if pair:
        issue = frozenset(nlp.stem(w) for w in pair)
        return Flip(sentence, statement, "opposite", pair, issue)
    if negation:
        return Flip(sentence, statement, "negation", at_issue=frozenset([negation]))
    ours, theirs = numbers(sentence), numbers(statement.text)
    if ours - theirs and theirs:  # "a false positive 19 times in 20" / "1 time in 20"
        return Flip(sentence, statement, "number", at_issue=frozenset(ours | theirs))
    return None


def _global_opposites(
    said: list[str], material: list[Statement], sims: np.ndarray, done: set[str]
) -> list[Flip]:
    """A word of the answer whose opposite a material sentence on the same point uses, while
    the material never uses the word itself."""
    vocabulary = " ".join(s.text for s in material)
    found = []
    for i, sentence in enumerate(said):
        if sentence in done or _CONTRAST_OPENING.match(sentence):
            continue
        pair = flipped_words(sentence, vocabulary)
        if not pair:
            continue
        near = [j for j in np.argsort(-sims[i]) if sims[i, j] >= NEAR]
        for j in near:
            local = flipped_words(sentence, material[j].text)
            if local and not negation_flip(sentence, material[j].text):
                found.append(Flip(sentence, material[j], "opposite", local))
                break
    return found


__all__ = ["Flip", "Signals", "Statement", "signals", "statements"]
