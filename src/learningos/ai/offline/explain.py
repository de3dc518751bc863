"""The parts of an offline explanation, each taken from the learner's material.

`compose` picks, for one concept: the sentence that says what it is (ranked like an answer to
"What is X?", so a definition with a symbol or a glossary entry counts), a sentence on why it
matters, the key points in reading order, and worked examples, each with its code listing
verbatim (the fenced blocks ingestion keeps, content/code.py) or an example sentence. A slower
pace takes shorter sentences, more points cut into smaller steps, and more examples; it is a
different explanation, not the same one numbered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from learningos.ai.inputs import ConceptRef, Passage
from learningos.ai.offline import _select as sel
from learningos.ai.offline import answers, nlp

FENCE = "```"
_POINTS = {"slow": 5, "normal": 3, "fast": 2}
_EXAMPLES = {"slow": 2, "normal": 1, "fast": 1}
_WHY = re.compile(
    r"\b(?:useful|important|matters?|because|so that|in order to|allows?|lets? (?:us|you)"
    r"|helps?|advantages?|purpose|used (?:to|for|as)|can be used|the reason|makes it possible"
    r"|good for)\b",
    re.I,
)
_REDUNDANT = 0.85
# A key point is at least this share as close to the concept as the closest sentence; a slow
# pace takes more of the material around it (more, smaller steps).
_POINT_SHARE = {"slow": 0.35, "normal": 0.5, "fast": 0.5}
_MIN_RELEVANCE = 0.25  # cosine with the concept below which a listing is about something else


@dataclass(frozen=True)
class Quote:
    text: str
    passage: int


@dataclass(frozen=True)
class Example:
    """A worked example: the sentence that introduces it and its listing (or the sentence
    alone when the material gives no code)."""

    intro: Quote | None
    code: str | None = None
    passage: int = 0


@dataclass
class Explanation:
    definition: Quote | None = None
    why: Quote | None = None
    points: list[Quote] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    statements: list[Quote] = field(default_factory=list)  # all quoted prose, for questions


@dataclass(frozen=True)
class CodeBlock:
    code: str
    passage: int
    intro: str | None  # the sentence just before the listing ("Here is the code: …")


def code_blocks(passages: Sequence[Passage]) -> list[CodeBlock]:
    """The fenced listings of the passages, in order, each with the sentence before it."""
    found: list[CodeBlock] = []
    for index, passage in enumerate(passages):
        before: list[str] = []
        inside: list[str] | None = None
        for line in passage.text.split("\n"):
            if line.strip() == FENCE:
                if inside is None:
                    inside = []
                else:
                    found.append(_block(inside, index, before))
                    inside, before = None, []
                continue
            if inside is not None:
                inside.append(line.rstrip())
            else:
                before.append(line)
        if inside:  # a chunk may end inside a listing
            found.append(_block(inside, index, before))
    return [b for b in found if b.code.strip()]


def _block(lines: list[str], passage: int, before: list[str]) -> CodeBlock:
    sentences = nlp.sentences(" ".join(line.strip() for line in before[-6:]))
    intro = sentences[-1] if sentences and len(sentences[-1].split()) >= 4 else None
    if intro is not None and not intro[:1].isupper():
        intro = None
    return CodeBlock("\n".join(lines).strip("\n"), passage, intro)


def compose(
    concept: ConceptRef,
    passages: Sequence[Passage],
    sentences: list[sel.Sentence],
    embedder: sel.TextEmbedder,
    pace: str,
) -> Explanation:
    name = sel.name_of(concept)
    target = sel.concept_text(concept)
    out = Explanation()
    out.definition = _definition(name, passages, embedder)
    taken = {out.definition.text} if out.definition else set()
    if not sentences:
        out.examples = _examples(target, passages, [], embedder, pace)
        return out
    vectors = sel.embed(embedder, [target] + [s.text for s in sentences])
    raw = vectors[1:] @ vectors[0]
    # Retrieval brings neighbouring sections too: sentences of the passages most about the
    # concept come first, and a point must itself be about the concept.
    relevance = raw + _passage_relevance(sentences, raw)
    about = raw >= max(_MIN_RELEVANCE, _POINT_SHARE.get(pace, 0.5) * float(raw.max()))
    lengths = np.array([len(s.text.split()) for s in sentences], dtype=np.float32)
    leaning = np.array([sel.leans_on_context(s.text) for s in sentences], dtype=np.float32)
    # Slower: shorter sentences weigh more (small steps), whatever their centrality.
    per_word = 0.012 if pace == "slow" else 0.003
    penalty = np.maximum(lengths - (14.0 if pace == "slow" else 20.0), 0.0) * per_word
    penalty += 0.2 * leaning
    score = 0.6 * relevance + 0.4 * nlp.centrality(vectors[1:]) - penalty
    head = answers.core(name)
    why = [
        i
        for i, s in enumerate(sentences)
        if _WHY.search(s.text) and s.text not in taken and head <= answers.terms(s.text)
    ]
    if why:  # about this concept by name: "Variance is useful …" says nothing of effect size
        best = max(why, key=lambda i: relevance[i] - penalty[i])
        if relevance[best] >= 2 * _MIN_RELEVANCE:
            out.why = Quote(sentences[best].text, sentences[best].passage)
            taken.add(sentences[best].text)
    chosen: list[int] = []
    for i in sorted(range(len(sentences)), key=lambda i: -score[i]):
        if len(chosen) == _POINTS.get(pace, 3):
            break
        if not about[i] or sentences[i].text in taken:
            continue
        if sel.is_example(sentences[i].text) and pace != "fast":
            continue
        if all(float(vectors[1 + i] @ vectors[1 + j]) <= _REDUNDANT for j in chosen):
            chosen.append(i)
    out.points = [Quote(sentences[i].text, sentences[i].passage) for i in sorted(chosen)]
    taken.update(q.text for q in out.points)
    out.examples = _examples(
        target, passages, [s for s in sentences if s.text not in taken], embedder, pace
    )
    out.statements = [q for q in (out.definition, out.why, *out.points) if q is not None]
    return out


def _passage_relevance(sentences: list[sel.Sentence], relevance: np.ndarray) -> np.ndarray:
    """For each sentence, the mean relevance of all sentences of its passage."""
    by_passage: dict[int, list[float]] = {}
    for s, r in zip(sentences, relevance, strict=True):
        by_passage.setdefault(s.passage, []).append(float(r))
    return np.array([np.mean(by_passage[s.passage]) for s in sentences], dtype=np.float32)


def _definition(name: str, passages: Sequence[Passage], embedder: sel.TextEmbedder) -> Quote | None:
    """The sentence that best answers "What is <name>?"."""
    found = [c for group in answers.candidates(passages) for c in group if not c.cut]
    if not found:
        return None
    score, _ = answers.rank(f"What is {name}?", found, embedder)
    best = int(np.argmax(score))
    if score[best] < answers.ANSWER_FLOOR:
        return None
    return Quote(sel.normalise(found[best].text), found[best].passage)


def _examples(
    target: str,
    passages: Sequence[Passage],
    sentences: list[sel.Sentence],
    embedder: sel.TextEmbedder,
    pace: str,
) -> list[Example]:
    """Worked examples, the most relevant first: listings with their introduction, then
    example sentences when the listings run out."""
    wanted = _EXAMPLES.get(pace, 1)
    blocks = code_blocks(passages)
    examples: list[Example] = []
    if blocks:
        texts = [f"{b.intro or ''}\n{b.code}" for b in blocks]
        vectors = sel.embed(embedder, [target, *texts])
        relevance = vectors[1:] @ vectors[0]
        for i in np.argsort(-relevance, kind="stable")[:wanted]:
            block = blocks[int(i)]
            if relevance[int(i)] < _MIN_RELEVANCE:
                break
            intro = Quote(block.intro, block.passage) if block.intro else None
            examples.append(Example(intro, block.code, block.passage))
    candidates = [s for s in sentences if sel.is_example(s.text)]
    if len(examples) < wanted and candidates:
        vectors = sel.embed(embedder, [target] + [s.text for s in candidates])
        relevance = vectors[1:] @ vectors[0]
        for i in np.argsort(-relevance, kind="stable")[: wanted - len(examples)]:
            s = candidates[int(i)]
            examples.append(Example(Quote(s.text, s.passage), None, s.passage))
    return examples
