"""What a learning map must be (issue: a map of real concepts): the ideas a learner explains,
not the book's furniture. Run on a textbook-shaped text written for these tests (numbered
chapters and sections, with Preface, Contributors, Debugging, Glossary and Exercises sections
and a case-study chapter) and on the demo course, both planned by the real planner with the
bundled MiniLM model."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from learningos.ai.offline import keyphrases as kp
from learningos.ai.offline import nlp
from learningos.ai.offline import structure as st
from learningos.ai.offline.map_checks import map_checks
from learningos.ai.schemas import PlannedConcept
from learningos.content.text import extract_text
from learningos.retrieval.embeddings import LocalEmbedder
from tests.unit.test_offline_planner import Case, make_case

BOOK = Path(__file__).resolve().parents[1] / "data" / "texts" / "programming_book.md"
FURNITURE = re.compile(
    r"debugging|glossary|exercise|preface|contributor|case study|^chapter\b|^\d", re.I
)
DANGLING = re.compile(
    r"^(?:in this (?:code|example)|if you|this |these |it |the result)|this code|chapter\s*\d"
    r"|\bp\.\s*\d|\bpage\s*\d",
    re.I,
)


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)


@pytest.fixture(scope="module")
def book(embedder: LocalEmbedder) -> Case:
    return make_case("programming book", extract_text(BOOK.read_bytes(), markdown=True), embedder)


@pytest.fixture(scope="module")
def demo(embedder: LocalEmbedder) -> Case:
    course = resources.files("learningos.demo") / "course.md"
    return make_case("demo course", extract_text(course.read_bytes(), markdown=True), embedder)


def by_title(case: Case) -> dict[str, PlannedConcept]:
    return {c.title: c for c in case.out.concepts}


def sections_of(case: Case, concept: PlannedConcept) -> list[str]:
    ids = {s.id: s.title for s in case.inp.sections}
    return [ids[i] for i in concept.source_sections]


# --- the book's furniture is no concept -----------------------------------------------------


def test_no_concept_is_a_boilerplate_section_or_numbered(book: Case) -> None:
    titles = [c.title for c in book.out.concepts]
    assert not [t for t in titles if FURNITURE.search(t)], titles


def test_boilerplate_sections_are_not_taught_from(book: Case) -> None:
    used = {t for c in book.out.concepts for t in sections_of(book, c)}
    assert not [t for t in used if re.search(r"debugging|glossary|exercises|contributors", t, re.I)]


def test_no_two_concepts_name_the_same_idea(book: Case, demo: Case) -> None:
    for case in (book, demo):
        lexicon = kp.Lexicon(kp.stopwords_for(""))
        keys = [" ".join(sorted(st.phrase_stems(lexicon, c.title))) for c in case.out.concepts]
        assert len(set(keys)) == len(keys), [c.title for c in case.out.concepts]


# --- chapters that are one idea, and the ideas a chapter title names ------------------------


def test_a_chapter_about_one_idea_is_one_concept(book: Case) -> None:
    concepts = by_title(book)
    assert "Lists" in concepts and "Tuples" in concepts, list(concepts)
    assert {"3.1 A list is a sequence", "3.3 List slices", "3.5 Aliasing"} <= set(
        sections_of(book, concepts["Lists"])
    )
    assert {"4.1 Tuples are immutable", "4.4 Lists and tuples"} <= set(
        sections_of(book, concepts["Tuples"])
    )
    assert not any(t.startswith(("List ", "Tuple ")) for t in concepts)  # no section-level split


def test_a_chapter_of_two_ideas_gives_both(book: Case) -> None:
    concepts = by_title(book)
    assert "Conditionals" in concepts and "Recursion" in concepts, list(concepts)
    assert "2.4 Recursion" in sections_of(book, concepts["Recursion"])
    assert "2.3 Chained conditionals" in sections_of(book, concepts["Conditionals"])


def test_a_chapter_named_after_an_idea_keeps_it(book: Case) -> None:
    assert "Inheritance" in by_title(book)


# --- descriptions ---------------------------------------------------------------------------


def test_descriptions_are_one_or_two_clean_sentences(book: Case, demo: Case) -> None:
    for case in (book, demo):
        for concept in case.out.concepts:
            sentences = nlp.sentences(concept.description)
            assert 1 <= len(sentences) <= 2, (concept.title, concept.description)
            for sentence in sentences:
                assert not DANGLING.search(sentence), (concept.title, sentence)


def test_a_description_starts_with_the_definition(book: Case) -> None:
    concepts = by_title(book)
    assert concepts["Lists"].description.startswith("A list is a sequence of values")
    assert concepts["Recursion"].description.startswith("Recursion is the process")
    assert concepts["Inheritance"].description.startswith("Inheritance is the ability")


@pytest.mark.parametrize(
    "sentence",
    [
        "In this code, weeks is the range of weeks and diffs is the difference between them.",
        "If you read the codebook carefully, you will see that many of the variables are recodes.",
        "Chapter2 Variables, expressions and statements One of the most powerful features.",
        "The result is a dictionary that maps from values to frequencies of each value.",
        "As we saw above, the function returns a new list of the sorted values.",
        "Centers for Disease Control conducted the survey, gathering “information on family life.",
        "The loop iterates through the ages when respondents got married at last.",
    ],
)
def test_a_sentence_that_needs_its_surroundings_describes_nothing(sentence: str) -> None:
    assert not kp.is_description_sentence(sentence)


def test_a_definition_with_articles_is_a_description() -> None:
    assert kp.is_description_sentence(
        "The most common representation of a distribution is a histogram, which is a graph "
        "that shows the frequency of each value."
    )


# --- prerequisites --------------------------------------------------------------------------


def test_prerequisites_come_from_terms_an_earlier_concept_introduced(book: Case) -> None:
    concepts = by_title(book)
    assert "Lists" in concepts["Tuples"].prerequisites  # tuples are explained through lists
    # Nothing later talks about formal languages: nothing needs them.
    assert not [
        c.title for c in book.out.concepts if "Formal and natural languages" in c.prerequisites
    ]
    for concept in book.out.concepts:
        assert len(concept.prerequisites) <= 3


def test_the_demo_course_keeps_a_concept_per_section(demo: Case) -> None:
    headings = [s.title for s in demo.inp.sections if s.level == 2]
    assert [c.title for c in demo.out.concepts] == headings
    assert len(demo.out.milestones) == 3
    # Retrieval practice keeps using "retrieval", which the first section's title brings in.
    assert "Encoding, storage and retrieval" in by_title(demo)["Retrieval practice"].prerequisites


# --- small tools ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("5.12 Debugging", True),
        ("1.10 Glossary", True),
        ("Exercises", True),
        ("Contributor List", True),
        ("Debugging a recursive function", False),
        ("Lists", False),
    ],
)
def test_boilerplate_titles(title: str, expected: bool) -> None:
    assert st.boilerplate(title) is expected


def test_case_studies_and_boilerplate_name_nothing() -> None:
    assert not st.meaningful_title("Case study: interface design")
    assert not st.meaningful_title("3.9 Debugging")
    assert st.meaningful_title("Interface design")


def test_title_parts_and_acronyms() -> None:
    lexicon = kp.Lexicon(kp.stopwords_for(""))
    assert st.title_parts("Chapter 5: Conditionals and recursion") == ["Conditionals", "recursion"]
    assert st.title_parts("Variables, expressions and statements") == [
        "Variables",
        "expressions",
        "statements",
    ]
    assert st.names_phrase(lexicon, "Plotting PMFs", "Probability mass functions")
    assert st.names_phrase(lexicon, "List slices", "Lists")
    assert not st.names_phrase(lexicon, "Aliasing", "Lists")


def test_map_checks_count_what_reads_badly() -> None:
    def concept(title: str, description: str = "", needs: list[str] | None = None) -> dict:
        return {"title": title, "description": description, "prerequisites": needs or []}

    checks = map_checks(
        [
            concept("Recursion", "Recursion is a function calling itself.", []),
            concept("Debugging", "In this code, x is one. It fails."),
            concept("5.12 Debugging", "A. B. C."),
            concept("Tuples", "A tuple is immutable.", ["Recursion"]),
            concept("The tuple", "Chapter2 Tuples One of the most useful types."),
        ]
    )
    assert checks == {
        "concepts": 5,
        "boilerplate_titles": 2,
        "duplicate_titles": 2,
        "numbered_titles": 1,
        "descriptions_over_two_sentences": 1,
        "dangling_descriptions": 2,
        "with_prerequisites": 1,
    }
