"""The offline planner on real material: a 242-page book without an outline, a 117-page
lecture script with one, a 4-page PDF without headings and a note without headings, each
extracted and segmented by the project's own code, with the bundled MiniLM model."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest

from learningos.ai.inputs import PlannerInput, SectionInput
from learningos.ai.offline import nlp
from learningos.ai.offline.keyphrases import readability, syllables
from learningos.ai.offline.planner import plan
from learningos.ai.offline.structure import strip_numbering
from learningos.ai.schemas import PlannerOutput
from learningos.content.document import Document, Section
from learningos.content.pdf import extract_pdf
from learningos.content.segment import segment
from learningos.content.text import extract_text
from learningos.retrieval.embeddings import LocalEmbedder
from tests.evaldata import BOOK, PDFS, need

WITH_OUTLINE = PDFS / "009-pdflatex-geotopo_GeoTopo-komprimiert.pdf"
NO_HEADINGS = PDFS / "004-pdflatex-4-pages_pdflatex-4-pages.pdf"

NOTE = """\
Photosynthesis is the process by which plants, algae and some bacteria turn light energy into
chemical energy. It takes place in the chloroplasts, small organelles packed with a green
pigment called chlorophyll. The overall reaction combines carbon dioxide and water into glucose
and releases oxygen as a by-product.

The light-dependent reactions happen in the thylakoid membranes inside the chloroplast. When
chlorophyll absorbs a photon, one of its electrons is raised to a higher energy level and passed
along an electron transport chain. Water molecules are split to replace the lost electrons,
which is where the released oxygen comes from. The light-dependent reactions produce two energy
carriers, ATP and NADPH.

The Calvin cycle takes place in the stroma, the fluid around the thylakoids. It uses the ATP and
NADPH made by the light reactions to fix carbon dioxide into sugar. The enzyme RuBisCO attaches
a carbon dioxide molecule to a five-carbon sugar named ribulose bisphosphate. Some of the
resulting three-carbon sugars leave the Calvin cycle to build glucose and starch; the rest are
recycled so that the cycle can turn again.

The rate of photosynthesis depends on light intensity, carbon dioxide concentration and
temperature. At low light intensity, light is the limiting factor and the rate rises almost in
proportion to the light. At higher intensity the rate levels off, because the carbon dioxide
concentration becomes limiting. Growers raise carbon dioxide levels in greenhouses and add
artificial light to speed up growth.
"""


@dataclass
class Case:
    """A document, what the planner was given and what it made of it."""

    name: str
    pages: int | None
    sections: list[Section]
    inp: PlannerInput
    out: PlannerOutput
    seconds: float


def planner_input(title: str, sections: list[Section]) -> PlannerInput:
    """What the caller passes: every section except retrieval chunks (parents hold the
    full text), with its index as id."""
    return PlannerInput(
        title,
        [
            SectionInput(str(i), s.title, s.text, s.level, s.kind, s.page_start, s.page_end)
            for i, s in enumerate(sections)
            if s.kind != "chunk"
        ],
    )


def make_case(name: str, doc: Document, embedder: LocalEmbedder) -> Case:
    sections = segment(doc)
    inp = planner_input(doc.title or name, sections)
    started = time.perf_counter()
    out = plan(inp, embedder)
    pages = doc.page_count if doc.kind == "pdf" else None
    return Case(name, pages, sections, inp, out, time.perf_counter() - started)


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    model = LocalEmbedder(threads=1)
    model.embed(["load the model once, before anything is timed"])
    return model


@pytest.fixture(scope="module")
def book(embedder: LocalEmbedder) -> Case:
    return make_case("thinkstats2", extract_pdf(need(BOOK)), embedder)


@pytest.fixture(scope="module")
def script(embedder: LocalEmbedder) -> Case:
    return make_case("geotopo", extract_pdf(WITH_OUTLINE), embedder)


@pytest.fixture(scope="module")
def pages(embedder: LocalEmbedder) -> Case:
    return make_case("4 pages", extract_pdf(NO_HEADINGS), embedder)


@pytest.fixture(scope="module")
def note(embedder: LocalEmbedder) -> Case:
    return make_case("note", extract_text(NOTE.encode(), markdown=True), embedder)


@pytest.fixture(scope="module", params=["book", "script", "pages", "note"])
def case(request: pytest.FixtureRequest) -> Case:
    return request.getfixturevalue(request.param)


# --- every document -------------------------------------------------------------------------


def test_titles_are_unique_and_not_empty(case: Case) -> None:
    titles = [c.title for c in case.out.concepts]
    assert all(t.strip() for t in titles)
    assert len({t.casefold() for t in titles}) == len(titles), titles


def test_prerequisites_point_back_to_earlier_titles(case: Case) -> None:
    earlier: set[str] = set()
    for concept in case.out.concepts:
        assert len(concept.prerequisites) <= 3
        assert set(concept.prerequisites) <= earlier, concept.title
        earlier.add(concept.title)


def test_milestones_cover_the_concepts_in_order(case: Case) -> None:
    out = case.out
    indexes = [c.milestone for c in out.concepts]
    assert indexes == sorted(indexes)
    assert set(indexes) == set(range(len(out.milestones)))  # each milestone has concepts
    if len(out.concepts) > 1:
        assert 2 <= len(out.milestones) <= 8
    assert all(m.title.strip() and m.description.strip() for m in out.milestones)


def test_pages_and_sources_are_real(case: Case) -> None:
    ids = {s.id: s for s in case.inp.sections}
    for concept in case.out.concepts:
        assert concept.source_sections and set(concept.source_sections) <= set(ids)
        kinds = {ids[i].kind for i in concept.source_sections}
        assert "front_matter" not in kinds
        if case.pages is None:
            assert concept.page_start is None and concept.page_end is None
        else:
            assert concept.page_start is not None and concept.page_end is not None
            assert 1 <= concept.page_start <= concept.page_end <= case.pages


def test_descriptions_are_sentences_of_the_material(case: Case) -> None:
    ids = {s.id: s for s in case.inp.sections}
    for concept in case.out.concepts:
        assert len(concept.description) <= 400
        source = " ".join(" ".join(ids[i].text for i in concept.source_sections).split())
        # Cut at every sentence end: each piece lies within one quoted sentence.
        for piece in re.split(r"(?<=[.!?])\s+", concept.description):
            assert piece in source, (concept.title, piece)
    described = [c for c in case.out.concepts if c.description]
    assert len(described) >= 0.8 * len(case.out.concepts)


def test_time_estimates(case: Case) -> None:
    assert all(5 <= c.estimated_minutes <= 90 for c in case.out.concepts)


def test_overview_says_what_and_how_much(case: Case) -> None:
    overview = case.out.overview
    assert 2 <= len(nlp.sentences(overview)) <= 4
    count = len(case.out.concepts)
    assert f"{count} concept" in overview


# --- the book, the script, the short texts --------------------------------------------------


def test_a_book_gives_a_usable_map(book: Case) -> None:
    concepts = book.out.concepts
    assert 20 <= len(concepts) <= 60
    assert len({c.difficulty for c in concepts}) >= 3
    assert sum(1 for c in concepts if c.prerequisites) >= len(concepts) // 2
    assert len(book.out.milestones) == 8  # 14 chapters, two to a milestone at most
    total_hours = sum(c.estimated_minutes for c in concepts) / 60
    assert 3 <= total_hours <= 20


def test_a_book_leaves_out_front_and_back_matter(book: Case) -> None:
    used = {i for c in book.out.concepts for i in c.source_sections}
    by_id = {s.id: s for s in book.inp.sections}
    titles = {by_id[i].title for i in used}
    assert not titles & {"Index", "Contents", "Preface"}
    assert not any(by_id[i].kind in ("glossary", "exercises") for i in used)


def test_a_book_keeps_its_section_titles(book: Case) -> None:
    titles = {c.title for c in book.out.concepts}
    assert {"Kaplan-Meier estimation", "Survival curves", "Skewness"} <= titles
    assert not any(t[0].isdigit() for t in titles)  # "13.4 Kaplan-Meier estimation" reads worse


def test_a_book_is_planned_fast_enough(book: Case) -> None:
    # The budget is 6 s on one torch thread; the margin is for a busy shared machine.
    # benchmarks/planner_speed.py measures it properly.
    assert book.seconds < 30


def test_an_outline_gives_its_chapters_as_milestones(script: Case) -> None:
    chapters = [
        "Topologische Grundbegriffe",
        "Mannigfaltigkeiten und Simplizialkomplexe",
        "Fundamentalgruppe und Überlagerungen",
        "Euklidische und nichteuklidische Geometrie",
        "Krümmung",
    ]
    titles = [m.title for m in script.out.milestones]
    assert titles[:5] == chapters
    assert 10 <= len(script.out.concepts) <= 40
    concept_titles = {c.title for c in script.out.concepts}
    assert "Stichwortverzeichnis" not in concept_titles  # the index
    assert "Symbolverzeichnis" not in concept_titles


def test_a_text_without_headings_is_cut_into_topics(pages: Case) -> None:
    concepts = pages.out.concepts
    assert 2 <= len(concepts) <= 8
    assert not any(c.title.startswith("Page") for c in concepts)  # not "Pages 1–3"


def test_a_note_without_headings_gives_concepts(note: Case) -> None:
    assert len(note.sections) == 1
    assert 1 <= len(note.out.concepts) <= 5
    assert any("photosynthesis" in c.description.lower() for c in note.out.concepts)


def test_a_plain_text_note_gives_concepts(embedder: LocalEmbedder) -> None:
    case = make_case("note.txt", extract_text(NOTE.encode(), markdown=False), embedder)
    assert 1 <= len(case.out.concepts) <= 5
    assert all(c.page_start is None for c in case.out.concepts)


def test_a_plain_sentence_gives_one_concept(embedder: LocalEmbedder) -> None:
    inp = PlannerInput(
        "Osmosis",
        [SectionInput("a", "Osmosis", "Osmosis is the movement of water across a membrane.")],
    )
    out = plan(inp, embedder)
    assert len(out.concepts) == 1
    assert out.concepts[0].source_sections == ["a"]


# --- robustness -----------------------------------------------------------------------------


def test_the_same_input_gives_the_same_map(book: Case, embedder: LocalEmbedder) -> None:
    assert plan(book.inp, embedder) == book.out


def test_chunks_are_read_as_part_of_their_section(script: Case, embedder: LocalEmbedder) -> None:
    everything = PlannerInput(
        script.inp.content_title,
        [
            SectionInput(str(i), s.title, s.text, s.level, s.kind, s.page_start, s.page_end)
            for i, s in enumerate(script.sections)
        ],
    )
    assert any(s.kind == "chunk" for s in everything.sections)
    assert plan(everything, embedder) == script.out


def test_only_front_matter_is_an_error(embedder: LocalEmbedder) -> None:
    inp = PlannerInput(
        "A book",
        [
            SectionInput("1", "Preface", "I wrote this book for my students.", kind="front_matter"),
            SectionInput("2", "Contents", "1 Intro 3\n2 More 9", kind="front_matter"),
        ],
    )
    with pytest.raises(ValueError, match="Nothing to plan"):
        plan(inp, embedder)


@pytest.mark.parametrize("text", ["", "   \n\n ", "12 34 56 -- 78"])
def test_no_text_is_an_error(embedder: LocalEmbedder, text: str) -> None:
    with pytest.raises(ValueError, match="Nothing to plan"):
        plan(PlannerInput("Empty", [SectionInput("1", "Untitled section", text)]), embedder)


def test_no_sections_is_an_error(embedder: LocalEmbedder) -> None:
    with pytest.raises(ValueError, match="Nothing to plan"):
        plan(PlannerInput("Empty", []), embedder)


# --- small tools ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "count"),
    [("the", 1), ("make", 1), ("table", 2), ("used", 1), ("probability", 5), ("simulation", 4)],
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_readability_grades_harder_text_higher() -> None:
    easy = readability(["The cat sat on the mat.", "It was a sunny day."])
    hard = readability(
        ["Heteroscedasticity complicates the interpretation of ordinary least squares estimates."]
    )
    assert easy is not None and hard is not None
    assert easy.grade < 4 < 12 < hard.grade


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("2.3 Plotting histograms", "Plotting histograms"),
        ("Chapter 11: Regression", "Regression"),
        ("1 Topologische Grundbegriffe", "Topologische Grundbegriffe"),
        ("Chapter 3", "Chapter 3"),
        ("42", "42"),
    ],
)
def test_strip_numbering(title: str, stripped: str) -> None:
    assert strip_numbering(title) == stripped
