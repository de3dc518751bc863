"""Segmentation: sections in reading order, right page ranges, nothing lost, chunks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.content.document import Document, OutlineEntry, Page, Section
from learningos.content.segment import segment
from learningos.content.text import extract_text

LOREM = (
    "Statistics is the discipline of collecting and analysing data to answer questions. "
    "A sample is drawn from a population, and an estimate summarises it. "
)


def pdf(pages: list[str], outline: list[OutlineEntry] | None = None, **hints: float) -> Document:
    """A PDF-like document; `hints` maps a heading line to its (larger) font size."""
    built = []
    for number, text in enumerate(pages, start=1):
        lines = {line.strip() for line in text.split("\n")}
        page_hints = tuple((line, size) for line, size in hints.items() if line in lines)
        built.append(Page(number, text, page_hints))
    return Document("pdf", built, outline or [], None, len(built))


def covered(doc: Document, sections: list[Section]) -> bool:
    joined = "".join(s.text for s in sections if s.kind != "chunk")
    return joined == "\n".join(page.text for page in doc.pages)


def by_title(sections: list[Section]) -> dict[str, Section]:
    return {s.title: s for s in sections if s.kind != "chunk"}


BOOK = [
    "My Book\nAn Author",
    "Contents\n1 Intro 3\n1.1 Start 3\n1.2 More 4\n2 Next 5\n2.1 Deep 5\n2.2 Glossary 5",
    f"Chapter 1\nIntro\nSome intro text.\n1.1 Start\n{LOREM}",
    f"continues here.\n1.2 More\n{LOREM}",
    f"Chapter 2\nNext\nintro.\n2.1 Deep\n{LOREM}\n2.2 Glossary\nestimate: a guess",
    "2.3 Exercises\nExercise 1: draw a sample.\n1. Compute the mean\n2. Plot it",
]


def test_numbered_headings_give_chapters_sections_and_pages() -> None:
    doc = pdf(BOOK)
    sections = segment(doc)
    titles = [(s.title, s.level, s.kind, s.page_start, s.page_end) for s in sections]
    assert titles == [
        ("My Book", 1, "front_matter", 1, 1),
        ("Contents", 1, "front_matter", 2, 2),
        ("Chapter 1: Intro", 1, "section", 3, 3),
        ("1.1 Start", 2, "section", 3, 4),
        ("1.2 More", 2, "section", 4, 4),
        ("Chapter 2: Next", 1, "section", 5, 5),
        ("2.1 Deep", 2, "section", 5, 5),
        ("2.2 Glossary", 2, "glossary", 5, 5),
        ("2.3 Exercises", 2, "exercises", 6, 6),
    ]
    assert [s.parent for s in sections] == [None, None, None, 2, 2, None, 5, 5, 5]
    assert covered(doc, sections)


def test_section_text_starts_with_its_heading() -> None:
    sections = by_title(segment(pdf(BOOK)))
    assert sections["1.2 More"].text.startswith("1.2 More\nStatistics")
    assert "continues here." in sections["1.1 Start"].text


def test_large_font_lines_are_headings_when_nothing_is_numbered() -> None:
    pages = [f"Why Models Matter\n{LOREM}", f"{LOREM}\nA Smaller Point\n{LOREM}"]
    doc = pdf(pages, **{"Why Models Matter": 18.0, "A Smaller Point": 14.0})
    sections = [s for s in segment(doc) if s.kind != "chunk"]
    assert [(s.title, s.level, s.page_start, s.page_end) for s in sections] == [
        ("Why Models Matter", 1, 1, 2),
        ("A Smaller Point", 2, 2, 2),
    ]


def test_good_outline_is_used_with_its_levels() -> None:
    outline = [
        OutlineEntry("Intro", 1, 3),
        OutlineEntry("Start", 2, 3),
        OutlineEntry("More", 2, 4),
        OutlineEntry("Next", 1, 5),
    ]
    sections = segment(pdf(BOOK, outline))
    got = [(s.title, s.level, s.page_start, s.page_end) for s in sections if s.kind != "chunk"]
    assert got == [
        ("My Book", 1, 1, 2),
        ("Intro", 1, 3, 3),
        ("Start", 2, 3, 4),
        ("More", 2, 4, 4),
        ("Next", 1, 5, 6),
    ]


def test_mistitled_outline_falls_back_to_detected_headings() -> None:
    wrong = [("First", 1), ("Second", 1), ("Third", 2), ("Fourth", 2), ("Fifth", 2)]
    outline = [OutlineEntry(name, 1, page) for name, page in wrong]
    sections = segment(pdf(BOOK, outline))
    assert "1.1 Start" in by_title(sections)
    assert "First" not in by_title(sections)


def test_outline_entries_with_bad_pages_or_duplicates_are_ignored() -> None:
    outline = [
        OutlineEntry("Intro", 1, 3),
        OutlineEntry("Intro", 1, 3),  # duplicate
        OutlineEntry("Ghost", 1, 99),  # beyond the last page
        OutlineEntry("", 1, 4),
        OutlineEntry("Next", 1, 5),
    ]
    doc = pdf(BOOK, outline)
    sections = segment(doc)
    assert [s.title for s in sections] == ["My Book", "Intro", "Next"]
    assert covered(doc, sections)


def test_document_without_headings_is_cut_by_size_into_page_ranges() -> None:
    pages = [LOREM * 12 for _ in range(10)]  # ~1,900 characters a page
    doc = pdf(pages)
    sections = segment(doc, max_chars=1000, overlap_chars=200)
    parts = [s for s in sections if s.kind != "chunk"]
    assert len(parts) > 1
    assert parts[0].title.startswith("Pages 1–")
    assert covered(doc, sections)
    assert parts[-1].page_end == 10


def test_long_sections_get_overlapping_chunks_within_their_pages() -> None:
    pages = ["1 Alpha\n" + LOREM * 10, LOREM * 10, "2 Beta\n" + LOREM]
    doc = pdf(pages)
    sections = segment(doc, max_chars=800, overlap_chars=150)
    alpha = next(i for i, s in enumerate(sections) if s.title == "1 Alpha")
    chunks = [s for s in sections if s.parent == alpha and s.kind == "chunk"]
    assert len(chunks) >= 4
    for chunk in chunks:
        assert len(chunk.text) <= 800
        assert chunk.title.startswith("1 Alpha (part ")
        assert chunk.page_start is not None and chunk.page_end is not None
        assert 1 <= chunk.page_start <= chunk.page_end <= 2
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 2
    for first, second in zip(chunks, chunks[1:], strict=False):
        assert second.text[:40] in first.text  # they overlap
    # every word of the section is in some chunk
    words = set(sections[alpha].text.split())
    assert words == set(" ".join(c.text for c in chunks).split())


def test_text_files_have_no_page_ranges() -> None:
    doc = extract_text(
        b"1 First part\n\nSome words.\n\n2 Second part\n\nMore words.\n", markdown=False
    )
    sections = segment(doc)
    assert [s.title for s in sections] == ["1 First part", "2 Second part"]
    assert all(s.page_start is None and s.page_end is None for s in sections)


def test_markdown_headings_are_the_structure() -> None:
    data = b"# Guide\n\nIntro.\n\n## Setup\n\n```\n# not a heading\n```\n\n## Glossary\n\nterm\n"
    doc = extract_text(data, markdown=True)
    sections = segment(doc)
    assert [(s.title, s.level, s.kind, s.parent) for s in sections] == [
        ("Guide", 1, "section", None),
        ("Setup", 2, "section", 0),
        ("Glossary", 2, "glossary", 0),
    ]
    assert doc.title == "Guide"
    assert covered(doc, sections)


# --- properties ----------------------------------------------------------------------------

line = st.sampled_from(
    [
        LOREM,
        "short line",
        "1 Introduction",
        "1.1 Background",
        "2 Methods",
        "2.1 Data",
        "Chapter 3",
        "Glossary",
        "Contents",
        "Exercises",
        "3.2 Result . . . . . 12",
        "",
    ]
)
page = st.lists(line, max_size=12).map("\n".join)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(page, min_size=1, max_size=8),
    st.sampled_from(["pdf", "text"]),
    st.integers(min_value=700, max_value=3000),
)
def test_sections_partition_the_text_in_order(pages: list[str], kind: str, size: int) -> None:
    if kind == "text" and not "".join(pages).strip():
        return  # an empty text file is refused before segmentation
    doc = pdf(pages) if kind == "pdf" else extract_text("\n".join(pages).encode(), markdown=False)
    sections = segment(doc, max_chars=size, overlap_chars=size // 4)
    assert covered(doc, sections)
    last_start = 0
    for index, section in enumerate(sections):
        assert section.title.strip()
        assert section.level >= 1
        if section.parent is not None:
            assert 0 <= section.parent < index
        if section.kind == "chunk":
            assert sections[section.parent or 0].kind != "chunk"
            assert len(section.text) <= size
        if kind == "text":
            assert section.page_start is None and section.page_end is None
            continue
        assert section.page_start is not None and section.page_end is not None
        assert 1 <= section.page_start <= section.page_end <= len(pages)
        if section.kind != "chunk":
            assert section.page_start >= last_start
            last_start = section.page_start
