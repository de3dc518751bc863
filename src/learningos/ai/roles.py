"""What differs between roles: the prompt's variables, the output contract, the offline engine
function, and the boundaries applied to whatever produced the output."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from learningos.ai import boundaries
from learningos.ai.inputs import (
    CoachInput,
    ExaminerInput,
    NoteInput,
    Passage,
    PlannerInput,
    ReviewerInput,
    Thresholds,
    TutorInput,
)
from learningos.ai.schemas import (
    Citation,
    CoachOutput,
    ExaminerOutput,
    NoteFeedback,
    PlannerOutput,
    QuestionKind,
    ReviewerOutput,
    TutorOutput,
)
from learningos.models.ai import AIRole
from learningos.retrieval.context import page_label

QUESTION_KINDS: tuple[QuestionKind, ...] = ("own_words", "scenario", "comparison", "what_if")
_KIND_TEXT = {
    "own_words": "ask the learner to explain the concept in their own words",
    "scenario": "ask how the concept applies in a concrete situation",
    "comparison": "ask how the concept differs from a related idea in the material",
    "what_if": "ask what would happen if a key part of the concept changed",
}
PLANNER_EXCERPT_WORDS = 45
PLANNER_MAX_SECTIONS = 120


def question_kind(turn: int) -> QuestionKind:
    return QUESTION_KINDS[turn % len(QUESTION_KINDS)]


def fallback_question(kind: QuestionKind, title: str) -> str:
    """A follow-up question of the given kind that needs nothing but the concept's title."""
    return {
        "own_words": f"In your own words, how would you explain {title} to someone new to it?",
        "scenario": f"Where in your own work or life could you use {title}, and how?",
        "comparison": f"How is {title} different from the idea that comes just before it?",
        "what_if": f"What would change if {title} did not hold or were left out?",
    }[kind]


def pages(passage: Passage) -> str:
    return page_label(passage.page_start, passage.page_end)


def sources(passages: list[Passage], max_chars: int = 6000) -> list[dict[str, Any]]:
    """Numbered sources for a prompt; each text is cut to keep the prompt bounded."""
    return [
        {"n": i, "title": p.title, "pages": pages(p), "text": p.text.strip()[:max_chars]}
        for i, p in enumerate(passages, start=1)
    ]


def tutor_context(inp: TutorInput) -> str:
    blocks = ["## Sources"] if inp.passages else []
    for s in sources(inp.passages):
        where = f" ({s['pages']})" if s["pages"] else ""
        blocks.append(f"[{s['n']}] {s['title']}{where}\n{s['text']}")
    if inp.notes:
        blocks.append("## Learner's notes\n" + "\n".join(f"- {n}" for n in inp.notes))
    if inp.mistakes:
        blocks.append("## Past mistakes\n" + "\n".join(f"- {m}" for m in inp.mistakes))
    return "\n\n".join(blocks)


def tutor_variables(inp: TutorInput) -> dict[str, Any]:
    kind = question_kind(inp.turn)
    return {
        "concept": inp.concept,
        "context": tutor_context(inp),
        "question": inp.question,
        "mode": inp.mode,
        "pace": inp.pace,
        "question_kind_text": _KIND_TEXT[kind],
    }


def finish_tutor(text: str, inp: TutorInput) -> TutorOutput:
    """Boundaries on the tutor's text, and citations from the [n] marks it used."""
    kind = question_kind(inp.turn)
    text, question = boundaries.enforce_tutor(text, fallback_question(kind, inp.concept.title))
    used = sorted({int(n) for n in re.findall(r"\[(\d{1,2})\]", text)})
    citations = [
        Citation(
            section_id=p.section_id, title=p.title, page_start=p.page_start, page_end=p.page_end
        )
        for n in used
        if 1 <= n <= len(inp.passages)
        for p in [inp.passages[n - 1]]
    ]
    return TutorOutput(text=text, question=question, question_kind=kind, citations=citations)


def planner_variables(inp: PlannerInput) -> dict[str, Any]:
    rows = []
    usable = [s for s in inp.sections if s.kind not in ("front_matter", "chunk")]
    for n, section in enumerate(usable[:PLANNER_MAX_SECTIONS], start=1):
        words = section.text.split()
        excerpt = " ".join(words[:PLANNER_EXCERPT_WORDS]) + (" …" if len(words) > 45 else "")
        where = Passage(text="", page_start=section.page_start, page_end=section.page_end)
        rows.append({"n": n, "title": section.title, "pages": pages(where), "excerpt": excerpt})
    return {"content_title": inp.content_title, "sections": rows}


def finish_plan(output: PlannerOutput, inp: PlannerInput, from_llm: bool) -> PlannerOutput:
    """Map the prompt's S<n> references to section ids, keep prerequisites pointing backwards,
    keep milestone indexes in range, and take page ranges from the sections used."""
    usable = [s for s in inp.sections if s.kind not in ("front_matter", "chunk")]
    by_ref = {f"S{n}": s for n, s in enumerate(usable[:PLANNER_MAX_SECTIONS], start=1)}
    by_id = {s.id: s for s in inp.sections}
    seen: set[str] = set()
    last_milestone = max(len(output.milestones) - 1, 0)
    concepts = []
    for concept in output.concepts:
        title = concept.title.strip()
        if not title or title.lower() in seen:
            continue
        refs = [by_ref.get(r.strip().strip("[]")) if from_llm else by_id.get(r) for r in
                concept.source_sections]  # fmt: skip
        used = [s for s in refs if s is not None]
        starts = [s.page_start for s in used if s.page_start is not None]
        ends = [s.page_end or s.page_start for s in used if s.page_start is not None]
        prerequisites = [p for p in concept.prerequisites if p.strip().lower() in seen][:3]
        concepts.append(
            concept.model_copy(
                update={
                    "title": title,
                    "prerequisites": prerequisites,
                    "source_sections": [s.id for s in used],
                    "page_start": min(starts) if starts else concept.page_start,
                    "page_end": max(e for e in ends if e is not None) if ends else concept.page_end,
                    "milestone": min(concept.milestone, last_milestone),
                }
            )
        )
        seen.add(title.lower())
    if not concepts:
        raise ValueError("the plan has no usable concepts")
    return output.model_copy(update={"concepts": concepts})


def examiner_variables(inp: ExaminerInput) -> dict[str, Any]:
    # The examiner needs the reference, not the whole context: a lean prompt on the strong model.
    return {
        "concept": inp.concept,
        "sources": sources(inp.passages[:2], max_chars=1800),
        "question": inp.question,
        "answer": inp.answer,
    }


def coach_variables(inp: CoachInput, thresholds: Thresholds) -> dict[str, Any]:
    return {
        "concept": inp.concept,
        "sources": sources(inp.passages[:2], max_chars=1200),
        "evaluation": inp.evaluation,
        "attempts": inp.attempts,
        "history": inp.history,
        "thresholds": thresholds,
    }


def reviewer_variables(inp: ReviewerInput) -> dict[str, Any]:
    return {"items": inp.items, "period": inp.period}


def notes_variables(inp: NoteInput) -> dict[str, Any]:
    return {"concept": inp.concept, "sources": sources(inp.passages[:2], 1500), "note": inp.note}


@dataclass(frozen=True)
class RoleSpec:
    name: str
    output: type[BaseModel] | None  # None: plain text (the tutor)
    variables: Callable[[Any, Thresholds], dict[str, Any]]
    offline: Callable[[Any, Any, Thresholds], Any]  # (input, embedder, thresholds) -> output
    input_text: Callable[[Any], str]  # what the offline engine reads, for token counts


def _offline_plan(inp: PlannerInput, embedder: Any, _: Thresholds) -> PlannerOutput:
    from learningos.ai.offline.planner import plan

    return plan(inp, embedder)


def _offline_tutor(inp: TutorInput, embedder: Any, _: Thresholds) -> TutorOutput:
    from learningos.ai.offline.tutor import tutor

    return tutor(inp, embedder)


def _offline_examine(inp: ExaminerInput, embedder: Any, _: Thresholds) -> ExaminerOutput:
    from learningos.ai.offline.examiner import examine

    return examine(inp, embedder)


def _offline_coach(inp: CoachInput, embedder: Any, thresholds: Thresholds) -> CoachOutput:
    from learningos.ai.offline.coach import coach

    return coach(inp, thresholds, embedder)


def _offline_review(inp: ReviewerInput, _embedder: Any, _: Thresholds) -> ReviewerOutput:
    from learningos.ai.offline.reviewer import review

    return review(inp)


def _offline_notes(inp: NoteInput, embedder: Any, _: Thresholds) -> NoteFeedback:
    from learningos.ai.offline.notes import note_feedback

    return note_feedback(inp, embedder)


def _passages_text(passages: list[Passage]) -> str:
    return "\n".join(p.text for p in passages)


SPECS: dict[str, RoleSpec] = {
    AIRole.PLANNER: RoleSpec(
        AIRole.PLANNER,
        PlannerOutput,
        lambda i, _t: planner_variables(i),
        _offline_plan,
        lambda i: "\n".join(s.text for s in i.sections),
    ),
    AIRole.TUTOR: RoleSpec(
        AIRole.TUTOR,
        None,
        lambda i, _t: tutor_variables(i),
        _offline_tutor,
        lambda i: f"{i.concept.title}\n{i.question or ''}\n{_passages_text(i.passages)}",
    ),
    AIRole.EXAMINER: RoleSpec(
        AIRole.EXAMINER,
        ExaminerOutput,
        lambda i, _t: examiner_variables(i),
        _offline_examine,
        lambda i: f"{i.concept.description}\n{i.answer}\n{_passages_text(i.passages[:2])}",
    ),
    AIRole.COACH: RoleSpec(
        AIRole.COACH,
        CoachOutput,
        coach_variables,
        _offline_coach,
        lambda i: f"{i.concept.title}\n{i.evaluation.feedback}\n{_passages_text(i.passages[:2])}",
    ),
    AIRole.REVIEWER: RoleSpec(
        AIRole.REVIEWER,
        ReviewerOutput,
        lambda i, _t: reviewer_variables(i),
        _offline_review,
        lambda i: "\n".join(f"{x.title} {' '.join(x.gaps)}" for x in i.items),
    ),
    AIRole.NOTES: RoleSpec(
        AIRole.NOTES,
        NoteFeedback,
        lambda i, _t: notes_variables(i),
        _offline_notes,
        lambda i: f"{i.note}\n{_passages_text(i.passages[:2])}",
    ),
}


def finish(role: str, output: Any, inp: Any, thresholds: Thresholds, from_llm: bool) -> Any:
    """Boundaries and normalisation for a role's output, whatever produced it."""
    if role == AIRole.TUTOR:
        text = output.text if isinstance(output, TutorOutput) else str(output)
        finished = finish_tutor(text, inp)
        if isinstance(output, TutorOutput) and not from_llm and output.citations:
            finished = finished.model_copy(update={"citations": output.citations})
        return finished
    if role == AIRole.EXAMINER:
        return boundaries.enforce_examiner(output)
    if role == AIRole.COACH:
        return boundaries.enforce_coach(output, inp.evaluation.confidence, thresholds)
    if role == AIRole.PLANNER:
        return finish_plan(output, inp, from_llm)
    return output
