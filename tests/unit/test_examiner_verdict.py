"""The offline Examiner sorts explanations into correct, partial, contradictory, irrelevant
and non-answers, with the real embedding model, on the demo course that ships with the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from learningos.ai.inputs import ConceptRef, ExaminerInput, Passage
from learningos.ai.offline import examiner, polarity
from learningos.content.segment import segment
from learningos.content.text import extract_text
from learningos.retrieval.embeddings import LocalEmbedder

COURSE = Path(__file__).resolve().parents[2] / "src" / "learningos" / "demo" / "course.md"


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)


@pytest.fixture(scope="module")
def sections() -> list[Passage]:
    document = extract_text(COURSE.read_bytes(), markdown=True)
    return [
        Passage(text=s.text, title=s.title, page_start=7)
        for s in segment(document)
        if s.kind != "chunk" and s.text.strip()
    ]


def ask(sections: list[Passage], title: str, answer: str) -> ExaminerInput:
    own = [p for p in sections if p.title == title]
    assert own, title
    return ExaminerInput(
        concept=ConceptRef(title=title),
        passages=own,
        answer=answer,
        question=f"Explain {title} in your own words.",
        others=[p for p in sections if p.title != title],
    )


def judge(embedder: LocalEmbedder, inp: ExaminerInput) -> examiner.Assessment:
    return examiner.assess(inp, embedder)


def test_a_correct_explanation_scores_high(embedder, sections) -> None:  # type: ignore[no-untyped-def]
    got = judge(
        embedder,
        ask(
            sections,
            "Sleep and consolidation",
            "Consolidation makes a fragile new memory stable and links it to what you already "
            "know, and much of it happens during sleep, when the hippocampus replays the day. "
            "People who sleep after learning remember more than people who stay awake.",
        ),
    )
    assert got.label in ("correct", "partial")
    assert got.output.confidence >= 0.75


def test_a_contradiction_is_named_with_the_statement_it_contradicts(embedder, sections) -> None:  # type: ignore[no-untyped-def]
    got = judge(
        embedder,
        ask(
            sections,
            "The forgetting curve",
            "The forgetting curve shows that forgetting is slowest right after learning and "
            "speeds up later.",
        ),
    )
    assert got.label == "contradictory"
    assert got.output.confidence <= 0.4
    feedback = got.output.feedback
    assert "You wrote “The forgetting curve shows that forgetting is slowest" in feedback
    assert "the material says “The forgetting curve sums up his results" in feedback
    assert "(p. 7)" in feedback


def test_an_answer_about_something_else_is_irrelevant(embedder, sections) -> None:  # type: ignore[no-untyped-def]
    for answer in (
        "To change a bicycle tyre, take the wheel off and swap the inner tube.",
        # Another concept of the same course, in its own words.
        "Spacing means spreading study over several sessions instead of cramming.",
        # A line that matches nothing in the material.
        "TAB1: explanation sent from the first tab.",
    ):
        got = judge(embedder, ask(sections, "Working memory and its limits", answer))
        assert got.label == "irrelevant", answer
        assert got.output.confidence <= 0.25
        assert "is not about Working memory and its limits" in got.output.feedback


@pytest.mark.parametrize(
    "answer",
    ["I don't know", "help", "please explain it to me", "?", "hmm", "",
     "Explain Depth of processing in your own words."],
)  # fmt: skip
def test_non_answers_score_near_zero(embedder, sections, answer: str) -> None:  # type: ignore[no-untyped-def]
    got = judge(embedder, ask(sections, "Depth of processing", answer))
    assert got.label == "non-answer"
    assert got.output.confidence <= 0.1
    assert "nothing to assess" in got.output.feedback


def test_a_partial_answer_is_told_the_point_it_leaves_out(embedder, sections) -> None:  # type: ignore[no-untyped-def]
    inp = ask(sections, "Working memory and its limits", "Working memory holds things for now.")
    inp.concept.description = (
        "Working memory holds information for the moment; it is limited to about four units; "
        "chunking groups pieces into larger known units."
    )
    got = judge(embedder, inp)
    assert got.label == "partial"
    assert "Your explanation leaves out the point about" in got.output.feedback
    assert "chunking" in got.output.feedback.lower()


def test_a_verbatim_copy_is_asked_for_own_words(embedder, sections) -> None:  # type: ignore[no-untyped-def]
    own = next(p for p in sections if p.title == "Retrieval practice")
    copied = " ".join(own.text.split()[2:90])
    got = judge(embedder, ask(sections, "Retrieval practice", copied))
    assert "explain it in your own words" in got.output.feedback


def test_polarity_cues() -> None:
    assert polarity.flipped_words("Tuples are mutable.", "Tuples are immutable.") == (
        "mutable",
        "immutable",
    )
    # An opposite under a negation the other side lacks says the same thing.
    assert (
        polarity.flipped_words("It feels like forgetting.", "It feels like I don't remember.")
        is None
    )
    assert polarity.negation_flip(
        "Forgetting is always decay and never interference.",
        "Much forgetting is not decay but interference.",
    )
    assert polarity.negation_flip("A stack is LIFO.", "A stack is LIFO.") is None
    # Conditions move negations about legitimately.
    assert (
        polarity.negation_flip(
            "The compiler creates a default constructor when we do not define one.",
            "If a constructor is defined, the compiler does not create a default constructor.",
        )
        is None
    )
    assert polarity.numbers("about 50% of 39 weeks, 0.50") == {"50", "39", "0.5"}


def test_polarity_false_alarms_that_are_agreement() -> None:
    # An opposite weakened by "less" says the same thing ("sensitive" = "less robust").
    assert (
        polarity.flipped_words(
            "It is sensitive to outliers.", "Sample skewness is less robust to outliers."
        )
        is None
    )
    assert polarity.flipped_words("It is fragile to outliers.", "It is robust to outliers.") is None
    assert polarity.flipped_words("It is sensitive to outliers.", "It is robust to outliers.")
    # A degree asked about asserts nothing: "how fast" is not "fast".
    assert (
        polarity.flipped_words(
            "How fast it converges depends on the skewness.", "Skewed sums converge slowly."
        )
        is None
    )
    # A requirement moves the negation about as a condition does.
    assert (
        polarity.negation_flip(
            "The distribution needs a finite mean and variance.",
            "Many Pareto distributions do not have finite mean and variance.",
        )
        is None
    )
    # Web addresses and code identifiers are no statement.
    assert (
        polarity.negation_flip(
            "That is why correlation does not imply causation.",
            "It is summarized as “Correlation does not imply causation” at "
            "http://wikipedia.org/wiki/Correlation_does_ ``` not_imply_causation.",
        )
        is None
    )
    assert polarity.numbers("see http://example.org/2014/page_3 for 5 cases") == {"5"}


def test_a_condition_without_a_negation_in_it_does_not_hide_a_negation() -> None:
    assert polarity.negation_flip(
        "The exponential distribution describes the values of events, not the times between them.",
        "Exponential distributions come up when we measure the times between events.",
    )
