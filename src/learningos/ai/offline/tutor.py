"""The offline Tutor: explains a concept with the learner's own material, quoting it.

It writes nothing it cannot point to: the explanation is made of sentences picked from the
passages (the most relevant to the concept and the most central among themselves, in reading
order), each cited, and one follow-up question built from the concept and the material's key
terms. A free question is answered with the closest sentences of the material, or with an
honest "the material does not seem to cover this". The Tutor never grades (ai.md).
"""

from __future__ import annotations

import numpy as np

from learningos.ai.inputs import TutorInput
from learningos.ai.offline import _select as sel
from learningos.ai.offline import answers, nlp
from learningos.ai.schemas import QuestionKind, TutorOutput

KINDS: tuple[QuestionKind, ...] = ("own_words", "scenario", "comparison", "what_if")

# How many material sentences an explanation uses, and how many examples it adds.
_SENTENCES = {"slow": 6, "normal": 4, "fast": 3}
_EXAMPLES = {"slow": 2, "normal": 1, "fast": 1}
# Free questions: a sentence answers when its score (0.75 cosine + 0.25 term overlap) reaches
# this. MiniLM gives unrelated English sentences cosines of about 0.0–0.25; on Think Stats,
# questions the material answers scored 0.55–0.9, nearby topics it does not cover 0.25–0.41.
_ANSWER_FLOOR = 0.45
_QUOTE_MARGIN = 0.08  # further quotes must score within this of the best one
_REDUNDANT = 0.85  # cosine above which two sentences say the same thing


def tutor(inp: TutorInput, embedder: sel.TextEmbedder) -> TutorOutput:
    """The Tutor's reply: an explanation (or an answer to inp.question) ending in one question."""
    sentences = sel.prose_sentences(inp.passages)
    if inp.question is not None and inp.question.strip():
        return _answer(inp, sentences, embedder)
    return _explain(inp, sentences, embedder)


# --- explaining --------------------------------------------------------------------------------


def _pace(inp: TutorInput) -> str:
    """Review goes slower whatever the pace: the learner struggled with this concept before."""
    if inp.mode == "review":
        return "slow"
    return inp.pace if inp.pace in _SENTENCES else "normal"


def _explain(
    inp: TutorInput, sentences: list[sel.Sentence], embedder: sel.TextEmbedder
) -> TutorOutput:
    if not sentences:
        return _without_material(inp)
    name = sel.name_of(inp.concept)
    pace = _pace(inp)
    main, examples = _choose(inp, sentences, embedder, pace)

    cite = sel.Citations(inp.passages)
    lines = [_framing(name, pace, inp.mode)]
    steps = [part for i in main for part in _steps(sentences[i], pace, cite)]
    if pace == "slow":
        lines += [f"{n}. {step}" for n, step in enumerate(steps, 1)]
    else:
        lines += [f"- {step}" for step in steps]
    for n, i in enumerate(examples):
        label = "An example from your material" if n == 0 else "Another example"
        lines.append(f"{label}: {sentences[i].text} {cite.mark(sentences[i].passage)}")
    if not examples and not any(sel.is_example(sentences[i].text) for i in main):
        lines.append("Your material gives no worked example for this in these passages.")
    lines += _earlier_gaps(inp)
    kind = KINDS[inp.turn % len(KINDS)]
    texts = [s.text for s in sentences]
    terms = sel.concept_terms(
        texts, sel.concept_text(inp.concept), embedder, exclude=inp.concept.title, limit=1
    )
    question = _question(kind, name, terms)
    return _reply(lines, question, kind, cite)


def _choose(
    inp: TutorInput, sentences: list[sel.Sentence], embedder: sel.TextEmbedder, pace: str
) -> tuple[list[int], list[int]]:
    """The sentences that explain (relevant to the concept and central in the material) and
    the examples to add, each in reading order."""
    vectors = sel.embed(embedder, [sel.concept_text(inp.concept)] + [s.text for s in sentences])
    relevance = vectors[1:] @ vectors[0]
    # Retrieval may bring neighbouring sections too: sentences of the passages that are most
    # about the concept come first.
    relevance = relevance + _passage_relevance(sentences, relevance)
    penalty = _penalties(sentences, pace)
    score = 0.6 * relevance + 0.4 * nlp.centrality(vectors[1:]) - penalty
    main = _pick(score, vectors[1:], _SENTENCES[pace], exclude=[])
    # Examples are picked for relevance only: a worked example is rarely "central".
    candidates = [i for i, s in enumerate(sentences) if sel.is_example(s.text)]
    examples = _pick(
        relevance - penalty, vectors[1:], _EXAMPLES[pace], among=candidates, exclude=main
    )
    return sorted(main), sorted(examples)


def _passage_relevance(sentences: list[sel.Sentence], relevance: np.ndarray) -> np.ndarray:
    """For each sentence, the mean relevance of all sentences of its passage."""
    by_passage: dict[int, list[float]] = {}
    for s, r in zip(sentences, relevance, strict=True):
        by_passage.setdefault(s.passage, []).append(float(r))
    return np.array([np.mean(by_passage[s.passage]) for s in sentences], dtype=np.float32)


def _penalties(sentences: list[sel.Sentence], pace: str) -> np.ndarray:
    """Long sentences are harder to follow (a slow pace wants short steps even more), and a
    sentence that leans on what came before it ("This…", "the previous formula") reads badly
    out of its place."""
    lengths = np.array([len(s.text.split()) for s in sentences], dtype=np.float32)
    per_word = 0.006 if pace == "slow" else 0.003
    leaning = np.array([sel.leans_on_context(s.text) for s in sentences], dtype=np.float32)
    return np.maximum(lengths - 20.0, 0.0) * per_word + 0.2 * leaning


def _pick(
    score: np.ndarray,
    vectors: np.ndarray,
    count: int,
    *,
    exclude: list[int],
    among: list[int] | None = None,
) -> list[int]:
    """The `count` best-scoring sentences (of `among`, if given), best first, skipping any that
    repeats one already picked or excluded."""
    order = sorted(among if among is not None else range(len(score)), key=lambda i: -score[i])
    picked: list[int] = []
    for i in order:
        if len(picked) == count:
            break
        taken = picked + exclude
        if i not in taken and all(vectors[i] @ vectors[j] <= _REDUNDANT for j in taken):
            picked.append(i)
    return picked


def _steps(sentence: sel.Sentence, pace: str, cite: sel.Citations) -> list[str]:
    """A sentence as one step, or at a slow pace as several (cut at semicolons), each cited.
    Every piece stays a verbatim part of the material."""
    mark = cite.mark(sentence.passage)
    parts = [sentence.text]
    if pace == "slow":
        pieces = [p.strip() for p in sentence.text.split("; ")]
        if len(pieces) > 1 and all(len(p.split()) >= 5 for p in pieces):
            parts = pieces
    return [f"{part} {mark}" for part in parts]


def _framing(name: str, pace: str, mode: str) -> str:
    if mode == "review":
        return (
            f"Let us go over {name} again, slower this time, in the words of your material, "
            "with two examples where it has them:"
        )
    if pace == "slow":
        return (
            f"Here is {name} in the words of your material, in short steps and with two "
            "examples where it has them; we will go slower:"
        )
    return f"Here is {name} in the words of your material:"


def _earlier_gaps(inp: TutorInput) -> list[str]:
    """In review, name what was missed before (a reminder, not a judgement)."""
    if inp.mode != "review":
        return []
    # A gap worded as a verdict ("wrong formula") would make the reply judge: leave it out.
    gaps = [sel.plain(m) for m in inp.mistakes if sel.plain(m) and not sel.has_grading_words(m)]
    gaps = gaps[:2]
    if not gaps:
        return []
    return ["Earlier you missed: " + "; ".join(gaps) + "."]


def _without_material(inp: TutorInput) -> TutorOutput:
    """No usable passage (or none with prose): say so, and work from the concept's own
    description."""
    name = sel.name_of(inp.concept)
    description = sel.plain(inp.concept.description)
    if inp.passages:
        lines = [
            f"The passages found for {name} hold no plain sentences to quote (only code, "
            "formulas, tables or lists)."
        ]
    else:
        lines = [f"Your material had no matching passage for {name}, so there is nothing to quote."]
    if description:
        lines.append(f"The learning map describes it like this: {description}.")
    lines += _earlier_gaps(inp)
    kind = KINDS[inp.turn % len(KINDS)]
    terms = sel.key_terms([inp.concept.description], exclude=inp.concept.title, limit=3)
    question = _question(kind, name, terms)
    return _reply(lines, question, kind, sel.Citations(inp.passages))


# --- answering a free question -----------------------------------------------------------------


def _answer(
    inp: TutorInput, sentences: list[sel.Sentence], embedder: sel.TextEmbedder
) -> TutorOutput:
    """The material's sentences that answer the question, the one that answers best first
    (see answers.py), cited; or an honest "not covered"."""
    name = sel.name_of(inp.concept)
    question_text = inp.question or ""
    if _about_the_concept(question_text):
        # "What is it used for?": "it" is the concept the learner is studying.
        question_text = f"{name}: {question_text}"
    cite = sel.Citations(inp.passages)
    per_passage = answers.candidates(inp.passages)
    found = [c for group in per_passage for c in group]
    chosen: list[int] = []
    if found:
        score, vectors = answers.rank(question_text, found, embedder)
        chosen = answers.choose(score, vectors, found)
    lines: list[str] = []
    quoted: set[tuple[int, int]] = set()
    for n, i in enumerate(chosen):
        lead = found[i]
        group = answers.with_context(lead, per_passage[lead.passage]) if n == 0 else [lead]
        group = [c for c in group if (c.passage, c.order) not in quoted]
        if not group:
            continue
        quoted.update((c.passage, c.order) for c in group)
        text = answers.joined(group, inp.passages[lead.passage])
        label = "Your material says" if not lines else "It also says"
        lines.append(f"{label}: “{text}” {cite.mark(lead.passage)}")
    if lines:
        question = (
            f"In your own words, how does this connect to {name}, and what would you add "
            "from the rest of the material?"
        )
    else:
        lines = [
            f"Your material does not seem to cover this: none of its passages on {name} "
            "comes close to your question, and I only answer from your material."
        ]
        question = f"What made you wonder about this, and how do you think it relates to {name}?"
    return _reply(lines, question, "own_words", cite)


def _about_the_concept(question: str) -> bool:
    """A question that names nothing but points at the concept ("What is it used for?",
    "Why does this matter?"); "What is covariance?" names its own subject."""
    words = nlp.content_words(question)
    pointing = {"it", "this", "that", "they", "these", "those"} & set(nlp.words(question))
    return not words or (len(words) < 2 and bool(pointing))


# --- the question and the reply ----------------------------------------------------------------


def _question(kind: QuestionKind, name: str, terms: list[str]) -> str:
    """One follow-up question of the given kind, built from the concept and a key term."""
    term = terms[0] if terms else None
    if kind == "own_words":
        return f"In your own words, how would you explain {name} to a friend who has not read it?"
    if kind == "scenario":
        where = f" where “{term}” comes up" if term else ""
        return (
            f"Suppose you meet a new case of your own{where}, outside the examples above: "
            f"how would {name} apply to it?"
        )
    if kind == "comparison":
        other = f"“{term}”" if term else "an idea you already know well"
        return f"How does {name} differ from {other}, and where do the two meet?"
    if term:
        return f"What would happen to {name} if “{term}” were missing or changed?"
    return f"What would happen if one part of {name} were missing or changed?"


def _reply(lines: list[str], question: str, kind: QuestionKind, cite: sel.Citations) -> TutorOutput:
    """The whole reply: the lines, then the question as its last sentence. The body never holds
    a question mark (material questions are never quoted, learner text is cleaned); removing any
    left is a last guard so the reply asks exactly one thing."""
    body = "\n".join(lines).replace("?", ".")
    question = question.replace("?", "").rstrip() + "?"
    return TutorOutput(
        text=f"{body}\n\n{question}",
        question=question,
        question_kind=kind,
        citations=cite.citations,
    )
