"""Extraction on real files: the 31 evaluation PDFs, a real book, and broken uploads.

Every file must give its text or a specific IngestError, within a time limit.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from learningos.content.document import Document, IngestError, Section
from learningos.content.pdf import extract_pdf
from learningos.content.segment import segment
from learningos.content.sniff import HEAD_BYTES, sniff_kind
from learningos.content.text import extract_text
from tests.evaldata import BOOK, PDFS, need

TIME_LIMIT_S = 20.0


T = TypeVar("T")

# What each evaluation PDF must give: "text", or the IngestError code. Decided file by file.
EXPECTED = {
    "001-trivial_minimal-document.pdf": "text",
    "002-trivial-libre-office-writer_002-trivial-libre-office-writer.pdf": "text",
    "003-pdflatex-image_pdflatex-image.pdf": "text",
    "004-pdflatex-4-pages_pdflatex-4-pages.pdf": "text",
    "005-libreoffice-writer-password_libreoffice-writer-password.pdf": "encrypted",
    "006-pdflatex-outline_pdflatex-outline.pdf": "text",
    # ImageMagick and the grey/CMYK image files are pictures of pages: no text layer.
    "007-imagemagick-images_imagemagick-ASCII85Decode.pdf": "no_text",
    "007-imagemagick-images_imagemagick-CCITTFaxDecode.pdf": "no_text",
    "007-imagemagick-images_imagemagick-images.pdf": "no_text",
    "007-imagemagick-images_imagemagick-lzw.pdf": "no_text",
    "008-reportlab-inline-image_inline-image.pdf": "text",  # the word "Test" beside an image
    "009-pdflatex-geotopo_GeoTopo-komprimiert.pdf": "text",
    "010-pdflatex-forms_pdflatex-forms.pdf": "text",
    "011-google-doc-document_google-doc-document.pdf": "text",
    "012-libreoffice-form_libreoffice-form.pdf": "text",
    "013-reportlab-overlay_reportlab-overlay.pdf": "text",
    "014-outlines_mistitled_outlines_example.pdf": "text",
    "015-arabic_habibi-oneline-cmap.pdf": "text",
    "015-arabic_habibi-rotated.pdf": "text",
    "015-arabic_habibi.pdf": "text",
    "016-libre-office-link_libre-office-link.pdf": "text",
    # 40 % of this file is zero bytes, cross-reference tables included: PDFium cannot open it.
    "017-unreadable-meta-data_unreadablemetadata.pdf": "damaged",
    # A picture with an annotation tool's watermark: the watermark is its only text.
    "018-base64-image_base64image.pdf": "text",
    "019-grayscale-image_grayscale-image.pdf": "no_text",
    "020-xmp_output_with_metadata_pymupdf.pdf": "text",
    "021-pdfa_crazyones-pdfa.pdf": "text",
    "022-pdfkit_pdfkit.pdf": "text",
    "023-cmyk-image_cmyk-image.pdf": "no_text",
    "024-annotations_annotated_pdf.pdf": "text",
    "025-attachment_with-attachment.pdf": "text",
    "026-latex-multicolumn_multicolumn.pdf": "text",
}

MESSAGES = {
    "encrypted": "password-protected",
    "no_text": "no text layer",
    "damaged": "damaged",
}


def within_limit(work: Callable[[], T], seconds: float = TIME_LIMIT_S) -> tuple[T, float]:
    """Run `work` in a daemon thread: a hang fails the test instead of blocking the run."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as error:  # handed back to the test thread
            box["error"] = error

    started = time.perf_counter()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    elapsed = time.perf_counter() - started
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"], elapsed  # type: ignore[return-value]


def ingest(path: Path, *, max_pages: int = 2000) -> tuple[Document, list[Section]]:
    """What the ingestion job does: type from the bytes, extract, segment."""
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    kind = sniff_kind(head, path.name)
    if kind == "pdf":
        doc = extract_pdf(path, max_pages=max_pages)
    else:
        doc = extract_text(path.read_bytes(), markdown=kind == "markdown")
    return doc, segment(doc)


def outcome(path: Path, **kwargs: int) -> tuple[str, Document | None, list[Section]]:
    try:
        (doc, sections), _ = within_limit(lambda: ingest(path, **kwargs))
    except IngestError as error:
        assert error.message, "every error has a message for a person"
        return error.code, None, []
    return "text", doc, sections


def test_every_evaluation_pdf_has_an_expected_outcome() -> None:
    on_disk = {path.name for path in PDFS.glob("*.pdf")}
    assert on_disk == set(EXPECTED) and len(on_disk) == 31
    listed = json.loads((PDFS / "files.json").read_text())["data"]
    for entry in listed:  # files.json marks the password-protected file
        folder = entry["path"].split("/")[0]
        outcomes = {v for k, v in EXPECTED.items() if k.startswith(folder + "_")}
        assert outcomes, folder
        if entry["encrypted"]:
            assert outcomes == {"encrypted"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_evaluation_pdf_gives_text_or_a_specific_error(name: str) -> None:
    path = PDFS / name
    started = time.perf_counter()
    code, doc, sections = outcome(path)
    assert time.perf_counter() - started < TIME_LIMIT_S
    assert code == EXPECTED[name]
    if code != "text":
        return
    assert doc is not None and doc.page_count == len(doc.pages) >= 1
    assert any(page.text for page in doc.pages)
    assert sections and all(section.title.strip() for section in sections)
    joined = "".join(s.text for s in sections if s.kind != "chunk")
    assert joined == "\n".join(page.text for page in doc.pages)


@pytest.mark.parametrize("code", ["encrypted", "no_text", "damaged"])
def test_errors_speak_to_a_person(code: str) -> None:
    name = next(name for name, expected in EXPECTED.items() if expected == code)
    with pytest.raises(IngestError) as caught:
        extract_pdf(PDFS / name)
    assert MESSAGES[code] in caught.value.message


def test_arabic_and_rotated_text_come_out() -> None:
    for name in ("015-arabic_habibi.pdf", "015-arabic_habibi-rotated.pdf"):
        doc = extract_pdf(PDFS / name)
        text = "\n".join(page.text for page in doc.pages)
        assert "habibi" in text
        assert "حَبيبي"[-3:] in text or "يبيبَح" in text  # Arabic letters survive


def test_outline_is_used_when_it_matches_the_text() -> None:
    _, doc, sections = outcome(PDFS / "006-pdflatex-outline_pdflatex-outline.pdf")
    assert doc is not None and len(doc.outline) == 9
    titles = [s.title for s in sections if s.kind != "chunk"]
    assert titles == ["Contents", "Foo", "Bar", "Baz", "Foo", "Bar", "Baz", "Foo", "Bar", "Baz"]
    assert [(s.page_start, s.page_end) for s in sections if s.title == "Baz"][-1] == (4, 4)


def test_mistitled_outline_is_not_trusted() -> None:
    _, doc, sections = outcome(PDFS / "014-outlines_mistitled_outlines_example.pdf")
    assert doc is not None and doc.outline[0].title == "First"
    titles = [s.title for s in sections if s.kind != "chunk"]
    assert titles[1:] == [f"{n} {name}" for n, name in enumerate(["Foo", "Bar", "Baz"] * 3, 1)]


def test_real_book_with_an_outline() -> None:
    _, doc, sections = outcome(PDFS / "009-pdflatex-geotopo_GeoTopo-komprimiert.pdf")
    assert doc is not None and doc.page_count == 117
    found = {s.title: s for s in sections if s.kind != "chunk"}
    assert (found["1 Topologische Grundbegriffe"].level, found["1.1 Topologische Räume"].level) == (
        1,
        2,
    )
    assert found["1.1 Topologische Räume"].page_start == 6
    assert found["1.2 Metrische Räume"].page_start == 10
    assert found["2 Mannigfaltigkeiten und Simplizialkomplexe"].page_start == 28
    assert found["Übungsaufgaben"].kind == "exercises"
    assert not any(
        line.endswith("1.1. TOPOLOGISCHE RÄUME") for line in doc.pages[6].text.split("\n")
    )


# --- broken and disguised uploads ------------------------------------------------------------


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert outcome(path)[0] == "empty"
    with pytest.raises(IngestError) as caught:
        extract_pdf(path)
    assert caught.value.code == "empty"


def test_truncated_pdf_is_damaged(tmp_path: Path) -> None:
    data = (PDFS / "004-pdflatex-4-pages_pdflatex-4-pages.pdf").read_bytes()
    for fraction in (0.1, 0.5, 0.95):
        path = tmp_path / f"cut-{fraction}.pdf"
        path.write_bytes(data[: int(len(data) * fraction)])
        assert outcome(path)[0] == "damaged"


def test_pdf_renamed_txt_is_read_as_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes((PDFS / "021-pdfa_crazyones-pdfa.pdf").read_bytes())
    code, doc, _ = outcome(path)
    assert code == "text" and doc is not None and doc.kind == "pdf"
    assert "Here’s to the crazy ones" in doc.pages[0].text or "crazy ones" in doc.pages[0].text


def test_text_named_pdf_is_refused_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("1 Summary\n\nThe results are in.\n", encoding="utf-8")
    code, doc, _ = outcome(path)
    assert code == "not_a_pdf" and doc is None
    with pytest.raises(IngestError) as caught:  # called directly, the PDF reader refuses it
        extract_pdf(path)
    assert caught.value.code == "unsupported_type"


def test_non_utf8_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "menu.txt"
    text = "Le café crème et la crème brûlée sont délicieux. Où est l'été ?\n" * 4
    path.write_bytes(text.encode("cp1252"))
    code, doc, _ = outcome(path)
    assert code == "text" and doc is not None
    assert "crème brûlée" in doc.pages[0].text


def test_binary_junk_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert outcome(path)[0] == "unsupported_type"


def test_page_count_over_the_limit(tmp_path: Path) -> None:
    assert outcome(PDFS / "004-pdflatex-4-pages_pdflatex-4-pages.pdf", max_pages=3)[0] == (
        "too_many_pages"
    )


def test_progress_is_reported_page_by_page() -> None:
    seen: list[tuple[int, int]] = []
    extract_pdf(
        PDFS / "004-pdflatex-4-pages_pdflatex-4-pages.pdf", on_page=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


# --- the book without an outline -------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> tuple[Document, list[Section]]:
    (doc, sections), _ = within_limit(lambda: ingest(need(BOOK)))
    return doc, sections


def test_book_text_is_correctly_spaced_and_joined(book: tuple[Document, list[Section]]) -> None:
    doc, _ = book
    assert doc.page_count == 242 and not doc.outline
    text = "\n".join(page.text for page in doc.pages)
    flat = " ".join(text.split())
    for sentence in (
        "The thesis of this book is that data combined with practical methods can answer "
        "questions and guide decisions under uncertainty.",
        "True indicates that the condition is true.",
        "we have to do some processing to collect the pregnancy data for each respondent.",
        "Reports like these are called anecdotal evidence because they are based on data that "
        "is unpublished and usually personal.",
    ):
        assert sentence in flat
    assert "condi-tion" not in text and "\x02" not in text and "\ufffe" not in text
    assert "device-independent" in text  # a real compound keeps its hyphen


def test_book_running_heads_and_page_numbers_are_gone(
    book: tuple[Document, list[Section]],
) -> None:
    doc, _ = book
    head = re.compile(r"^(\d+|[ivxl]+) (Chapter \d+\. .*|Contents|Index)$|^\d+\.\d+\. .* \d+$")
    for page in doc.pages:
        lines = page.text.split("\n")
        assert not any(head.match(line) for line in lines), page.number
    assert doc.pages[30].text.startswith("This statement replaces invalid values")  # page 31
    assert doc.pages[20].text.startswith("Chapter 1\nExploratory data analysis")


def test_book_sections_are_its_numbered_sections(book: tuple[Document, list[Section]]) -> None:
    _, sections = book
    found = {s.title: s for s in sections if s.kind != "chunk"}
    interpretation = found["1.8 Interpretation"]
    assert (interpretation.level, interpretation.page_start, interpretation.page_end) == (2, 31, 32)
    assert interpretation.text.startswith("1.8 Interpretation\nTo work with data effectively")
    chapters = [s for s in sections if s.kind != "chunk" and s.title.startswith("Chapter ")]
    assert [s.title for s in chapters][:2] == [
        "Chapter 1: Exploratory data analysis",
        "Chapter 2: Distributions",
    ]
    assert len(chapters) == 14 and all(s.level == 1 for s in chapters)
    assert found["Chapter 1: Exploratory data analysis"].page_start == 21
    assert sections[sections.index(interpretation)].parent == sections.index(chapters[0])
    assert found["1.10 Glossary"].kind == "glossary"
    assert found["1.9 Exercises"].kind == "exercises"
    assert found["Preface"].kind == "front_matter"
    assert found["Contents"].kind == "front_matter"
    numbered = [t for t in found if re.match(r"^\d+\.\d+ ", t)]
    assert len(numbered) >= 130  # the book's contents list 138 numbered sections


def test_book_chunks_fit_and_keep_their_pages(book: tuple[Document, list[Section]]) -> None:
    _, sections = book
    chunks = [s for s in sections if s.kind == "chunk"]
    assert chunks
    for chunk in chunks:
        parent = sections[chunk.parent or 0]
        assert parent.kind != "chunk" and len(chunk.text) <= 2400
        assert parent.page_start <= chunk.page_start <= chunk.page_end <= parent.page_end  # type: ignore[operator]
