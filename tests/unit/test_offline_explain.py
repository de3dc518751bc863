"""The offline tutor's explanation and follow-up questions, on a generated programming book
read through the real PDF extraction and segmentation (so its listings are fenced).

An explanation leads with the sentence that defines the concept, gives key points and a worked
example with its code verbatim, each cited; each question is about this concept's own
statements or listings; a slower pace is a different explanation, not the same one numbered;
code keeps its indentation through the gateway's boundaries.
"""

from __future__ import annotations

import re

import pytest

from learningos.ai.boundaries import enforce_tutor
from learningos.ai.inputs import ConceptRef, Passage, TutorInput
from learningos.ai.offline.tutor import tutor
from learningos.ai.schemas import TutorOutput
from learningos.content.pdf import extract_pdf
from learningos.content.segment import segment
from learningos.retrieval.embeddings import LocalEmbedder
from tests.fakes.books import LIST_LISTING, TOTAL_LISTING, python_book
from tests.unit.test_code_lines import text_blocks

TUPLES = ConceptRef(title="Tuples", description="A tuple is an immutable sequence of values.")
LOOPS = ConceptRef(
    title="Loops over lists", description="Traversing the elements of a list with a for loop."
)


@pytest.fixture(scope="module")
def passages(tmp_path_factory: pytest.TempPathFactory) -> list[Passage]:
    book = python_book(tmp_path_factory.mktemp("book") / "book.pdf")
    return [
        Passage(s.text, s.title, str(i), s.page_start, s.page_end)
        for i, s in enumerate(segment(extract_pdf(book)))
        if s.kind != "chunk"
    ]


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)


def explain(concept: ConceptRef, passages: list[Passage], e: LocalEmbedder, **kw) -> TutorOutput:  # type: ignore[no-untyped-def]
    return tutor(TutorInput(concept=concept, passages=passages, **kw), e)


def material(passages: list[Passage]) -> str:
    return " ".join(" ".join(p.text.split()) for p in passages)


def prose_lines(text: str) -> list[str]:
    return [body for kind, body in text_blocks(text) if kind == "text"]


def code_shown(text: str) -> list[str]:
    return [body for kind, body in text_blocks(text) if kind == "code"]


def test_the_definition_comes_first_then_points_and_a_worked_example_with_its_code(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    out = explain(TUPLES, passages, embedder)
    lines = out.text.split("\n")
    assert lines[1].startswith("What it is: ") and "tuples are immutable" in lines[1]
    assert "Key points:" in lines
    assert LIST_LISTING.strip("\n") in code_shown(out.text) or TOTAL_LISTING.strip(
        "\n"
    ) in code_shown(out.text)
    every = material(passages)
    for line in lines:
        quoted = re.match(
            r"^(?:What it is: |Why it matters: |- |A worked example[^:]*: )(.*) \[\d\]:?$", line
        )
        if quoted:
            assert quoted.group(1) in every, line
    assert out.citations and re.search(r"\[1\]", out.text)


def test_the_code_keeps_its_indentation_through_the_gateway_boundaries(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    out = explain(LOOPS, passages, embedder)
    assert TOTAL_LISTING.strip("\n") in code_shown(out.text)
    text, question = enforce_tutor(out.text, "What else?")
    assert TOTAL_LISTING.strip("\n") in code_shown(text)
    assert question == out.question


def test_predict_the_output_hides_the_output_it_asks_for(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    out = explain(
        ConceptRef("Lists", "A list is a mutable sequence of values."), passages, embedder, turn=1
    )
    assert out.question == "What does the last line show when you run it?"
    assert ">>> numbers[1] = 5\n>>> numbers" in out.text
    assert "[42, 5]" not in out.text  # the answer is not shown


def test_what_if_asks_about_a_line_of_the_concepts_own_code(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    out = explain(LOOPS, passages, embedder, turn=3)
    line = re.search(r"delete the line “(.+)” from this code", out.question)
    assert line and line.group(1) in TOTAL_LISTING


def test_why_and_which_of_two_ask_about_quoted_statements_of_the_concept(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    every = material(passages)
    for turn, asks in ((0, "In your own words, why does that hold"), (2, "Which of")):
        out = explain(TUPLES, passages, embedder, turn=turn)
        assert out.question.startswith(asks)
        shown = re.findall(
            r"(?:Think about this statement|Statement \d): “(.+)” \[\d\]$", out.text, re.M
        )
        assert shown and all(s in every for s in shown)
        assert any("tuple" in s.lower() for s in shown)


def test_a_slower_pace_is_a_different_explanation(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    normal = explain(TUPLES, passages, embedder)
    slow = explain(TUPLES, passages, embedder, pace="slow")
    steps = re.findall(r"^\d+\. (.+) \[\d\]$", slow.text, re.M)
    points = re.findall(r"^- (.+) \[\d\]$", normal.text, re.M)
    assert len(steps) > len(points)
    assert set(steps) - set(points)  # other (shorter) sentences, not the same ones numbered
    assert len(code_shown(slow.text)) > len(code_shown(normal.text))  # more examples
    assert "Another example" in slow.text


def test_questions_carry_no_random_phrase(passages: list[Passage], embedder: LocalEmbedder) -> None:
    for turn in range(4):
        out = explain(TUPLES, passages, embedder, turn=turn)
        assert out.text.count("?") == 1 and out.text.endswith(out.question)
        assert "were missing or changed" not in out.question
        for quoted in re.findall(r"“(.+?)”", out.question):
            assert quoted in material(passages) or quoted in LIST_LISTING + TOTAL_LISTING


def test_an_answer_that_quotes_a_listings_introduction_shows_the_listing(
    passages: list[Passage], embedder: LocalEmbedder
) -> None:
    out = tutor(
        TutorInput(
            concept=LOOPS, passages=passages, question="How do I add up the elements of a list?"
        ),
        embedder,
    )
    assert out.text.startswith("Your material says: “")
    assert TOTAL_LISTING.strip("\n") in code_shown(out.text)
