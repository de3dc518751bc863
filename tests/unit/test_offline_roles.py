"""The offline Tutor, Coach, Reviewer and note feedback on real text.

The passages are sections of a real textbook (Think Stats, shared/eval/books) read with the
project's own PDF extraction and segmentation; the unrelated text is a real one-page PDF of the
shared sample corpus. One local MiniLM embedder serves the whole module.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.ai.inputs import (
    CoachInput,
    ConceptRef,
    NoteInput,
    Passage,
    ReviewedConcept,
    ReviewerInput,
    Thresholds,
    TutorInput,
)
from learningos.ai.offline.coach import coach
from learningos.ai.offline.notes import note_feedback
from learningos.ai.offline.reviewer import review
from learningos.ai.offline.tutor import tutor
from learningos.ai.schemas import ExaminerOutput, TutorOutput
from learningos.content.pdf import extract_pdf
from learningos.content.segment import segment
from learningos.retrieval.embeddings import LocalEmbedder
from tests.evaldata import BOOK, PDFS, need

CRAZY_ONES = PDFS / "021-pdfa_crazyones-pdfa.pdf"
GRADING = re.compile(
    r"correct|wrong|right answer|well done|great job|good job|score|grade|excellent", re.I
)
VARIANCE = ConceptRef(
    title="Variance",
    description="How spread out values are around the mean: variance and standard deviation.",
)
GOOD_NOTE = (
    "Variance tells me how spread out a set of values is. You take how far each value is from "
    "the mean, square those distances and average them. Its square root is the standard "
    "deviation, which is easier to read because it has the same units as the data. For "
    "example, pregnancy lengths have a standard deviation of about 2.7 weeks, so a birth two "
    "or three weeks early is nothing unusual."
)


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    """Sections 2.7 to 2.9 of the book, as the tutor would get them from retrieval."""
    sections = segment(extract_pdf(need(BOOK)))
    wanted = ("2.7 Summarizing distributions", "2.8 Variance", "2.9 Effect size")
    found = [
        Passage(
            text=s.text,
            title=s.title,
            section_id=str(i),
            page_start=s.page_start,
            page_end=s.page_end,
        )
        for i, s in enumerate(sections)
        if s.title in wanted and s.kind == "section"
    ]
    assert [p.title for p in found] == list(wanted)
    return found


class RememberingEmbedder:
    """The local MiniLM model, embedding each distinct text once: the tests ask the roles about
    the same passages many times, and the vectors of a text do not change."""

    def __init__(self) -> None:
        self.model = LocalEmbedder(threads=1)
        self.vectors: dict[str, list[float]] = {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        new = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if new:
            self.vectors.update(zip(new, self.model.embed(new), strict=True))
        return [self.vectors[t] for t in texts]


@pytest.fixture(scope="module")
def embedder() -> RememberingEmbedder:
    return RememberingEmbedder()


@pytest.fixture(scope="module")
def unrelated_text() -> str:
    return extract_pdf(CRAZY_ONES).pages[0].text


def flat(text: str) -> str:
    return " ".join(text.split())


def quoted_lines(out: TutorOutput) -> list[str]:
    """The material sentences of an explanation: its steps and examples, without citations."""
    found = []
    for line in out.text.splitlines():
        match = re.match(
            r"^(?:- |\d+\. |What it is: |Why it matters: |A worked example from your material: "
            r"|Another example: |Think about this statement: “|Statement \d: “)(.*)$",
            line,
        )
        if match:
            found.append(re.sub(r"”?\s*\[\d+\]:?$", "", match.group(1)))
    return found


def assert_reply_shape(out: TutorOutput, passages: list[Passage]) -> None:
    """One question, last; no judging words; every citation is a passage and is used."""
    assert out.text.count("?") == 1 and out.text.endswith("?")
    assert out.text.endswith(out.question) and out.question.count("?") == 1
    assert not GRADING.search(out.text), GRADING.search(out.text)
    sources = {(p.section_id, p.title, p.page_start, p.page_end) for p in passages}
    for citation in out.citations:
        assert (citation.section_id, citation.title, citation.page_start, citation.page_end) in (
            sources
        )
    used = {int(n) for n in re.findall(r"\[(\d+)\]", out.text)}
    assert used == set(range(1, len(out.citations) + 1))


def test_explanation_rotates_its_question_and_quotes_the_material(
    passages: list[Passage], embedder: RememberingEmbedder
) -> None:
    kinds = []
    material = [flat(p.text) for p in passages]
    for turn in range(5):
        out = tutor(TutorInput(concept=VARIANCE, passages=passages, turn=turn), embedder)
        assert_reply_shape(out, passages)
        assert out.text.startswith("Here is Variance in the words of your material")
        quotes = quoted_lines(out)
        assert 3 <= len(quotes) <= 7
        assert all(any(q in m for m in material) for q in quotes)
        kinds.append(out.question_kind)
    assert kinds == ["own_words", "scenario", "comparison", "what_if", "own_words"]


def test_explanation_is_deterministic(
    passages: list[Passage], embedder: RememberingEmbedder
) -> None:
    inp = TutorInput(concept=VARIANCE, passages=passages, turn=2)
    assert tutor(inp, embedder) == tutor(inp, embedder)


def test_slow_pace_and_review_go_slower_with_more_examples(
    passages: list[Passage], embedder: RememberingEmbedder
) -> None:
    normal = tutor(TutorInput(concept=VARIANCE, passages=passages), embedder)
    slow = tutor(TutorInput(concept=VARIANCE, passages=passages, pace="slow"), embedder)
    again = tutor(
        TutorInput(
            concept=VARIANCE,
            passages=passages,
            mode="review",
            mistakes=["Is variance in squared units?"],
        ),
        embedder,
    )
    for out in (slow, again):
        assert_reply_shape(out, passages)
        assert len(out.text) > len(normal.text)
        assert len(quoted_lines(out)) > len(quoted_lines(normal))
        assert "Another example:" in out.text
    assert "slower" in slow.text
    assert "Earlier you missed: Is variance in squared units." in again.text


def test_free_question_quotes_the_material_verbatim(
    passages: list[Passage], embedder: RememberingEmbedder
) -> None:
    out = tutor(
        TutorInput(concept=VARIANCE, passages=passages, question="What is the standard deviation?"),
        embedder,
    )
    assert_reply_shape(out, passages)
    quotes = re.findall(r"says: “(.+)” \[\d+\]$", out.text, re.M)
    assert quotes and "standard deviation" in quotes[0]
    pieces = [piece for q in quotes for piece in q.split(" …") if piece.strip()]
    assert all(any(piece.strip() in flat(p.text) for p in passages) for piece in pieces)
    assert out.citations


def test_unrelated_question_gets_an_honest_answer(
    passages: list[Passage], embedder: RememberingEmbedder
) -> None:
    out = tutor(
        TutorInput(
            concept=VARIANCE, passages=passages, question="How do I bake sourdough bread at home?"
        ),
        embedder,
    )
    assert_reply_shape(out, passages)
    assert "does not seem to cover" in out.text
    assert out.citations == [] and "“" not in out.text


def test_without_passages_the_tutor_says_so(embedder: RememberingEmbedder) -> None:
    out = tutor(TutorInput(concept=VARIANCE, passages=[], turn=3), embedder)
    assert_reply_shape(out, [])
    assert "no matching passage" in out.text
    assert VARIANCE.description.rstrip(".") in out.text


@settings(deadline=None, max_examples=30)
@given(
    confidence=st.floats(0.0, 1.0),
    practice=st.floats(0.05, 0.7),
    margin=st.floats(0.0, 0.3),
)
def test_coach_decision_is_always_the_threshold_rule(
    passages: list[Passage], confidence: float, practice: float, margin: float
) -> None:
    thresholds = Thresholds(proceed=practice + margin, practice=practice)
    evaluation = ExaminerOutput(confidence=confidence, feedback="", gaps=["units of variance"])
    out = coach(CoachInput(VARIANCE, passages, evaluation), thresholds)
    assert out.decision == thresholds.decide(confidence)
    assert f"{confidence:.0%}" in out.reason
    if out.decision == "practice":
        assert out.task and out.task.startswith("Task:") and "3–5 sentences" in out.task
    else:
        assert out.task is None


def test_coach_practice_task_aims_at_the_gap_and_notes_the_history(
    passages: list[Passage], embedder: RememberingEmbedder
) -> None:
    gap = "did not say that variance is in squared units"
    evaluation = ExaminerOutput(confidence=0.6, feedback="", gaps=[gap])
    out = coach(
        CoachInput(VARIANCE, passages, evaluation, attempts=3, history=[0.3, 0.4]),
        Thresholds(),
        embedder,
    )
    assert out.decision == "practice"
    assert out.task and gap in out.task and "Variance" in out.task
    assert "60%" in out.reason and "low too (30%, 40%)" in out.reason
    assert "Up from 40% on the previous attempt" in out.reason  # percentages, never 0.40

    low = ExaminerOutput(confidence=0.2, feedback="", gaps=[gap])
    again = coach(CoachInput(VARIANCE, passages, low), Thresholds(), embedder)
    assert again.decision == "review" and again.task is None
    assert f"Revisit: {gap}" in again.reason


def test_reviewer_schedules_weak_concepts_sooner_and_names_them() -> None:
    out = review(
        ReviewerInput(
            items=[
                ReviewedConcept("Variance", [0.3, 0.35], ["squared units"], minutes=14),
                ReviewedConcept("Effect size", [0.55, 0.9], minutes=20),
                ReviewedConcept("Percentiles", [0.6], minutes=6),
            ],
            period="week",
            learner_name="Sokha",
        )
    )
    due = {item.concept: item.due_in_days for item in out.schedule}
    assert due["Variance"] <= 1 < due["Percentiles"] < due["Effect size"]
    assert 5 <= due["Effect size"] <= 7
    assert len(out.weak_points) == 1
    assert out.weak_points[0].startswith("Variance") and "squared units" in out.weak_points[0]
    assert out.summary.startswith("Sokha, this week you worked on 3 concepts for 40 minutes.")
    assert "Effect size 55% → 90%" in out.summary

    by_scheduler = review(
        ReviewerInput(items=[ReviewedConcept("CDFs", [0.9], stability_days=12.4)])
    )
    assert by_scheduler.schedule[0].due_in_days == 12
    assert "Nothing to review yet" in review(ReviewerInput(items=[])).summary


def test_note_feedback_prefers_own_words_and_names_what_is_missing(
    passages: list[Passage], embedder: RememberingEmbedder, unrelated_text: str
) -> None:
    variance = [p for p in passages if p.title == "2.8 Variance"]

    def feedback(note: str):  # type: ignore[no-untyped-def]
        return note_feedback(NoteInput(concept=VARIANCE, passages=variance, note=note), embedder)

    good = feedback(GOOD_NOTE)
    copied = feedback(flat(variance[0].text)[:700])
    unrelated = feedback(unrelated_text)
    assert good.quality > copied.quality and good.quality > unrelated.quality
    assert good.quality >= 0.6
    assert any("own words" in s for s in copied.suggestions)
    assert "something other than Variance" in unrelated.summary

    partial = feedback(GOOD_NOTE.replace("standard deviation", "spread figure"))
    assert any("standard deviation" in s for s in partial.suggestions)
    assert partial.quality < good.quality

    empty = feedback("  ")
    assert empty.quality == 0 and empty.suggestions
    assert any(s.startswith("Too short") for s in feedback("Variance is spread.").suggestions)
