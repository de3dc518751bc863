"""Boundaries hold whatever text a model produced (property tests), and the parsing of replies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.ai.boundaries import (
    ENCOURAGING,
    GRADING,
    TEACHING,
    clamp_confidence,
    enforce_coach,
    enforce_examiner,
    enforce_tutor,
)
from learningos.ai.inputs import Thresholds
from learningos.ai.parsing import InvalidOutput, parse_output
from learningos.ai.schemas import CoachOutput, ExaminerOutput

FALLBACK = "How would you explain it in your own words?"
sentences = st.sampled_from(
    [
        "The mean is the sum divided by n.",
        "That's correct!",
        "Well done, you nailed it.",
        "Why does this matter?",
        "Is it the median?",
        "What? No.",
        "Your answer is wrong.",
        "Spread is measured by the deviation [1].",
        "",
        "\n",
        "Great job",
        "What happens if n is zero?",
    ]
)
prose = st.lists(st.one_of(sentences, st.text(max_size=40)), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(prose)
def test_tutor_reply_ends_with_exactly_one_question_and_never_grades(text: str) -> None:
    out, question = enforce_tutor(text, FALLBACK)
    assert out.rstrip().endswith("?")
    assert out.count("?") == 1
    assert out.endswith(question)
    assert not GRADING.search(out)


def test_tutor_keeps_the_last_question_and_drops_grading() -> None:
    text = "That's correct! The mean is the sum over n. Why? What would change if n doubled?"
    out, question = enforce_tutor(text, FALLBACK)
    assert out == "The mean is the sum over n.\n\nWhat would change if n doubled?"
    assert question == "What would change if n doubled?"
    assert enforce_tutor("No question here.", FALLBACK)[1] == FALLBACK


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.floats(allow_nan=True), st.integers(-10, 200), st.text(max_size=5), st.none()),
    prose,
    st.lists(st.text(max_size=20), max_size=4),
)
def test_examiner_output_stays_in_bounds(confidence: object, feedback: str, gaps: list) -> None:
    value = clamp_confidence(confidence)
    assert 0.0 <= value <= 1.0
    out = enforce_examiner(ExaminerOutput(confidence=value, feedback=feedback, gaps=gaps))
    assert 0.0 <= out.confidence <= 1.0
    assert out.feedback
    assert not TEACHING.search(out.feedback) and not ENCOURAGING.search(out.feedback)


def test_examiner_feedback_loses_teaching_and_praise() -> None:
    out = enforce_examiner(
        ExaminerOutput(
            confidence=0.5,
            feedback="Great effort! The explanation omits the variance. The correct answer is "
            "that it is the root of the variance.",
            gaps=["variance"],
        )
    )
    assert out.feedback == "The explanation omits the variance."


@pytest.mark.parametrize(("raw", "expected"), [(4, 0.8), (85, 0.85), (-1, 0.0), ("x", 0.0)])
def test_confidence_scales_are_normalised(raw: object, expected: float) -> None:
    assert clamp_confidence(raw) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0, 1),
    st.sampled_from(["proceed", "practice", "review"]),
    st.floats(0.05, 0.5),
    st.floats(0.5, 0.95),
)
def test_coach_decision_agrees_with_thresholds(
    confidence: float, proposed: str, practice: float, proceed: float
) -> None:
    thresholds = Thresholds(proceed=proceed, practice=practice)
    out = enforce_coach(
        CoachOutput(decision=proposed, reason="r", task="t"),  # type: ignore[arg-type]
        confidence,
        thresholds,
    )
    assert out.decision == thresholds.decide(confidence)
    assert (out.task is None) or out.decision == "practice"


def test_parse_output_tolerates_fences_and_reports_problems() -> None:
    text = '```json\n{"confidence": 0.7, "feedback": "Covers it.", "gaps": []}\n```'
    assert parse_output(text, ExaminerOutput).confidence == 0.7
    with pytest.raises(InvalidOutput, match="no JSON object"):
        parse_output("I think it is fine", ExaminerOutput)
    with pytest.raises(InvalidOutput, match="feedback"):
        parse_output('{"confidence": 0.2}', ExaminerOutput)
    with pytest.raises(InvalidOutput, match="malformed"):
        parse_output('{"confidence": 0.2, "feedback": "x",}', ExaminerOutput)
