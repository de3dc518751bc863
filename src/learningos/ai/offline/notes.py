"""Offline feedback on a learner's note: how well it captures the concept, and what to add.

Quality mixes four measured things: closeness in meaning to the concept and its material
(embeddings), coverage of the material's key terms, length, and whether there is an example.
A note copied from the material would score high on all four, so verbatim overlap (shared
five-word runs) scales quality down: the product asks for the learner's own words.
"""

from __future__ import annotations

import numpy as np

from learningos.ai.inputs import NoteInput
from learningos.ai.offline import _select as sel
from learningos.ai.offline import nlp
from learningos.ai.schemas import NoteFeedback

_SHINGLE = 5  # words in a run that counts as copied
_COPIED = 0.5  # share of copied runs from which the note is called copied
_SHORT = 25  # words
_TERMS = 8  # key terms of the material checked for coverage
_MAX_MISSING = 4


def note_feedback(inp: NoteInput, embedder: sel.TextEmbedder) -> NoteFeedback:
    """Quality 0..1, a one- or two-sentence summary, and what to add or fix."""
    name = sel.name_of(inp.concept)
    note = inp.note.strip()
    n_words = len(nlp.words(note))
    if n_words == 0:
        return NoteFeedback(
            quality=0.0,
            summary="The note is empty.",
            suggestions=[f"Start the note: two or three sentences in your own words on {name}."],
        )
    sentences = [s.text for s in sel.prose_sentences(inp.passages, allow_grading=True)]
    target = sel.concept_text(inp.concept)
    terms = sel.concept_terms(
        sentences or [inp.concept.description], target, embedder, limit=_TERMS
    )
    missing = [t for t in terms if not sel.mentions(note, t)]
    coverage = 1.0 - len(missing) / len(terms) if terms else 0.0
    relevance = _relevance(note, inp, sentences, embedder)
    copied = copied_share(note, [p.text for p in inp.passages])
    example = any(sel.is_example(s) for s in nlp.sentences(note))
    # A few right words are not yet a note: length scales quality rather than adding to it.
    length = _ramp(n_words, 10, 60)
    quality = (0.55 * relevance + 0.35 * coverage + 0.1 * example) * (0.4 + 0.6 * length)
    quality *= 1.0 - 0.8 * copied
    return NoteFeedback(
        quality=round(float(np.clip(quality, 0.0, 1.0)), 3),
        summary=_summary(name, relevance, copied, terms, missing, n_words),
        suggestions=_suggestions(name, copied, n_words, missing, example),
    )


def _ramp(value: float, low: float, high: float) -> float:
    """0 at or below `low`, 1 at or above `high`, linear between."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def _relevance(
    note: str, inp: NoteInput, sentences: list[str], embedder: sel.TextEmbedder
) -> float:
    """How close in meaning the note is to the concept and to the closest parts of its material,
    0..1. MiniLM cosines: unrelated English about 0.0–0.2, a paraphrase 0.6 and more."""
    texts = [note, sel.concept_text(inp.concept), *sentences]
    vectors = sel.embed(embedder, texts)
    to_concept = float(vectors[1] @ vectors[0])
    if sentences:
        closest = np.sort(vectors[2:] @ vectors[0])[-3:]
        to_material = float(closest.mean())
        cosine = 0.4 * to_concept + 0.6 * to_material
    else:
        cosine = to_concept
    return _ramp(cosine, 0.15, 0.6)


def copied_share(note: str, texts: list[str]) -> float:
    """Share of the note's five-word runs found word for word in the texts (0 when the note is
    shorter than one run)."""
    runs = _shingles(nlp.words(note))
    if not runs:
        return 0.0
    source: set[tuple[str, ...]] = set()
    for text in texts:
        source |= set(_shingles(nlp.words(text)))
    return sum(run in source for run in runs) / len(runs)


def _shingles(tokens: list[str]) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1)]


def _summary(
    name: str, relevance: float, copied: float, terms: list[str], missing: list[str], n_words: int
) -> str:
    if copied >= _COPIED:
        return f"Most of the note ({copied:.0%}) repeats your material word for word."
    if relevance < 0.25:
        return f"The note seems to be about something other than {name}."
    said = f"The note is on {name}"
    if terms:
        mentioned = len(terms) - len(missing)
        said += f" and mentions {mentioned} of the {len(terms)} key terms of your material"
    said += "."
    if n_words < _SHORT:
        said += f" It is short ({n_words} words)."
    return said


def _suggestions(
    name: str, copied: float, n_words: int, missing: list[str], example: bool
) -> list[str]:
    found: list[str] = []
    if copied >= _COPIED / 2:
        found.append(
            f"Write it in your own words: {copied:.0%} of the note repeats the material verbatim."
        )
    if n_words < _SHORT:
        found.append(
            f"Too short so far ({n_words} words): say what {name} is, and how it connects "
            "to the ideas around it."
        )
    found += [
        f"Add “{term}”: your material uses it for this concept and the note does not yet."
        for term in missing[:_MAX_MISSING]
    ]
    if not example:
        found.append(f"Add an example: a small case of your own that shows {name} at work.")
    return found
