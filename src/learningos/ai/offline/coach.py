"""The offline Coach: the next step from the Examiner's evaluation and the learner's history.

The decision is the configured threshold rule and nothing else (ai.md: it must hold whatever
produces the decision). The reason says what drove it: the confidence, the gaps, and a history
of low confidences when there is one. A "practice" decision comes with a small application task
built from the material's own example or key term, aimed at the first gap. The Coach does not
teach and does not hand-hold: the task never contains the answer.
"""

from __future__ import annotations

import numpy as np

from learningos.ai.inputs import CoachInput, Thresholds
from learningos.ai.offline import _select as sel
from learningos.ai.schemas import CoachOutput

_TREND = 0.1  # a change of confidence since the last attempt worth mentioning


def coach(
    inp: CoachInput, thresholds: Thresholds, embedder: sel.TextEmbedder | None = None
) -> CoachOutput:
    """Decide proceed / practice / review with a reason, and a task when practising."""
    decision = thresholds.decide(inp.evaluation.confidence)
    reason = " ".join([_verdict(inp, thresholds, decision), *_drivers(inp, thresholds, decision)])
    task = _task(inp, embedder) if decision == "practice" else None
    return CoachOutput(decision=decision, reason=reason, task=task)


def _verdict(inp: CoachInput, thresholds: Thresholds, decision: str) -> str:
    confidence = inp.evaluation.confidence
    name = sel.name_of(inp.concept)
    if decision == "proceed":
        return (
            f"Confidence {confidence:.0%} is at or above {thresholds.proceed:.0%}: "
            "move on to the next concept."
        )
    if decision == "practice":
        return (
            f"Confidence {confidence:.0%} is between {thresholds.practice:.0%} and "
            f"{thresholds.proceed:.0%}: apply {name} to a small case of your own before moving on."
        )
    return (
        f"Confidence {confidence:.0%} is below {thresholds.practice:.0%}: "
        f"revisit {name} before moving on."
    )


def _gaps(inp: CoachInput, limit: int = 3) -> list[str]:
    return [g for g in (sel.plain(gap) for gap in inp.evaluation.gaps) if g][:limit]


def _drivers(inp: CoachInput, thresholds: Thresholds, decision: str) -> list[str]:
    """What the decision rests on, besides the number: gaps, trend, repeated low confidences."""
    said: list[str] = []
    gaps = _gaps(inp)
    if gaps and decision == "proceed":
        said.append(f"Worth a look later: {'; '.join(gaps)}.")
    elif gaps:
        said.append(f"The evaluation found these gaps: {'; '.join(gaps)}.")
    elif decision != "proceed":
        said.append("The evaluation named no specific gap.")
    said += _history(inp, thresholds)
    if decision == "review":
        target = "; ".join(gaps) if gaps else f"the passages on {sel.name_of(inp.concept)}"
        said.append(f"Revisit: {target}. Then explain it again in your own words.")
    return said


def _history(inp: CoachInput, thresholds: Thresholds) -> list[str]:
    if not inp.history:
        return []
    said: list[str] = []
    change = inp.evaluation.confidence - inp.history[-1]
    if change >= _TREND:
        said.append(f"Up from {inp.history[-1]:.0%} on the previous attempt.")
    elif change <= -_TREND:
        said.append(f"Down from {inp.history[-1]:.0%} on the previous attempt.")
    low = [h for h in inp.history if h < thresholds.practice]
    if len(low) >= 2 or (low and inp.evaluation.confidence < thresholds.practice):
        listed = ", ".join(f"{h:.0%}" for h in low[-3:])
        attempts = max(inp.attempts, len(inp.history) + 1)
        said.append(
            f"Earlier attempts were low too ({listed}), over {attempts} attempts in all: "
            "this concept keeps coming back as a weak point."
        )
    return said


def _task(inp: CoachInput, embedder: sel.TextEmbedder | None) -> str:
    """An application task: a new small case to work out, in the learner's own words."""
    name = sel.name_of(inp.concept)
    gaps = _gaps(inp, limit=1)
    focus = (
        f" Make sure your case brings in this point from the evaluation: {gaps[0]}." if gaps else ""
    )
    example = _example(inp, gaps, embedder)
    if example:
        return (
            f"Task: Your material works through this case: {_quoted(example)} Make up a new, "
            f"small case of your own, with a different setting and different numbers, where "
            f"{name} applies. "
            f"Write 3–5 sentences on how {name} works in your case.{focus}"
        )
    texts = [s.text for s in sel.prose_sentences(inp.passages)]
    if embedder is None:
        terms = sel.key_terms(texts, exclude=inp.concept.title, limit=1)
    else:
        target = sel.concept_text(inp.concept)
        terms = sel.concept_terms(texts, target, embedder, exclude=inp.concept.title, limit=1)
    where = f"where “{terms[0]}” comes up" if terms else f"where {name} applies"
    return (
        f"Task: Pick a small case from your own work or life {where}. Write 3–5 sentences "
        f"applying {name} to it: what you would look at, and what it tells you.{focus}"
    )


def _example(inp: CoachInput, gaps: list[str], embedder: sel.TextEmbedder | None) -> str | None:
    """The material's example closest to the concept (and to the first gap, if any)."""
    candidates = [
        s.text
        for s in sel.prose_sentences(inp.passages)
        if sel.is_example(s.text) and not sel.leans_on_context(s.text)
    ]
    if not candidates:
        return None
    target = " ".join([sel.concept_text(inp.concept), *gaps])
    if embedder is None:
        score = np.array([sel.term_overlap(target, text) for text in candidates])
    else:
        vectors = sel.embed(embedder, [target, *candidates])
        score = vectors[1:] @ vectors[0]
    return candidates[int(np.argmax(score))]


def _quoted(text: str) -> str:
    """Quote a sentence, unless it has quotes of its own (nested quotes read badly)."""
    return text if "“" in text or '"' in text else f"“{text}”"
