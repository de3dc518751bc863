"""PDF extraction with pypdfium2: cleaned page text, outline, title, font-size heading hints.

Blocking and CPU-bound: run it in a worker thread or process, never on the event loop.
PDFium is not thread-safe, so a process-wide lock serialises extractions. The processing job
runs this in a child process bounded in memory (content/pdf_process.py): a small hostile file
can inflate to hundreds of megabytes, or keep PDFium busy for a long time.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from learningos.content.clean import MARK, clean_pages, normalize_chars
from learningos.content.code import code_lines, fence_code
from learningos.content.document import Document, IngestError, OutlineEntry, Page

_PDFIUM_LOCK = threading.Lock()
# A line is a heading hint when its font is this much larger than the page's body text.
_HINT_RATIO = 1.15
_MAX_OUTLINE_ENTRIES = 5000
_PLACEHOLDER_TITLES = {"untitled", "untitled document", "document", "title", "no title"}
_FILE_NAME = re.compile(r"\.(docx?|odt|pdf|tex|dvi|rtf|pptx?|indd|qxd)$", re.I)


@dataclass
class RawPdf:
    """What PDFium gives back, before cleaning."""

    texts: list[str]
    hints: list[tuple[tuple[str, float], ...]]
    outline: list[OutlineEntry]
    title: str | None
    unreadable_pages: list[int] = field(default_factory=list)


def extract_pdf(
    path: Path,
    *,
    max_pages: int = 2000,
    on_page: Callable[[int, int], None] | None = None,
) -> Document:
    """Extract and clean the text of every page of the PDF at `path`.

    `on_page(done, total)` is called after each page. Raises IngestError with code "empty",
    "unsupported_type", "encrypted", "damaged", "too_many_pages" or "no_text"."""
    raw = read_pdf(path, max_pages=max_pages, on_page=on_page)
    texts = clean_pages(raw.texts)
    if not any(any(ch.isalpha() for ch in text) for text in texts):
        raise IngestError.of("no_text")
    pages = [
        Page(number=i, text=text, heading_hints=hints)
        for i, (text, hints) in enumerate(zip(texts, raw.hints, strict=True), start=1)
    ]
    document = Document("pdf", pages, raw.outline, raw.title, len(pages))
    if raw.unreadable_pages:
        document.extras["unreadable_pages"] = raw.unreadable_pages
    return document


def read_pdf(
    path: Path,
    *,
    max_pages: int = 2000,
    on_page: Callable[[int, int], None] | None = None,
) -> RawPdf:
    """The raw text of every page (no cleaning), with outline, title and heading hints."""
    _check_header(path)
    with _PDFIUM_LOCK, _open(path) as pdf:
        total = len(pdf)
        if total > max_pages:
            raise IngestError.of("too_many_pages", f"{total} pages; the limit is {max_pages}")
        raw = RawPdf(texts=[], hints=[], outline=_outline(pdf, total), title=_title(pdf))
        for index in range(total):
            text, hints = _read_page(pdf, index)
            if text is None:
                raw.unreadable_pages.append(index + 1)
            raw.texts.append(text or "")
            raw.hints.append(hints)
            if on_page is not None:
                on_page(index + 1, total)
    if len(raw.unreadable_pages) == total:
        raise IngestError.of("damaged", "no page could be read")
    return raw


def _check_header(path: Path) -> None:
    with path.open("rb") as file:
        head = file.read(1024)
    if not head:
        raise IngestError.of("empty")
    if b"%PDF-" not in head:
        raise IngestError("unsupported_type", "this file is not a PDF")


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise IngestError.of("encrypted") from error
        raise IngestError.of("damaged") from error


def _read_page(
    pdf: pdfium.PdfDocument, index: int
) -> tuple[str | None, tuple[tuple[str, float], ...]]:
    """The page's text (None when PDFium cannot load the page) and its heading hints."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        return None, ()
    try:
        textpage = page.get_textpage()
        try:
            # Bounded text is clipped to the page (no hidden off-page text) and is full
            # Unicode; the range API is only used to line text up with font sizes.
            text = fence_code(textpage.get_text_bounded(), code_lines(textpage))
            return text, _heading_hints(textpage)
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        return None, ()
    finally:
        page.close()


def _heading_hints(textpage: pdfium.PdfTextPage) -> tuple[tuple[str, float], ...]:
    """Lines set in a font clearly larger than most of the page's text, with their size."""
    sized = _line_font_sizes(textpage)
    if not sized:
        return ()
    weight: Counter[float] = Counter()
    for line, size in sized:
        weight[size] += len(line)
    body = weight.most_common(1)[0][0]
    return tuple(
        (normalize_chars(line).replace(MARK, ""), size)
        for line, size in sized
        if size >= body * _HINT_RATIO and len(line) <= 150
    )


def _line_font_sizes(textpage: pdfium.PdfTextPage) -> list[tuple[str, float]]:
    """Each non-blank line of the page with the font size of its first character."""
    text = textpage.get_text_range()
    sized = []
    position = 0  # in UTF-16 code units, the unit of PDFium's text indices
    for line in text.split("\r\n"):
        stripped = line.lstrip()
        if stripped:
            lead = position + _utf16_len(line[: len(line) - len(stripped)])
            char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, lead)
            if char >= 0:
                size = round(pdfium_c.FPDFText_GetFontSize(textpage, char), 1)
                sized.append((stripped.rstrip(), size))
        position += _utf16_len(line) + 2
    return sized


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _outline(pdf: pdfium.PdfDocument, page_count: int) -> list[OutlineEntry]:
    """Bookmarks with a title and a valid target page; others are dropped, not guessed. A
    broken outline gives what could be read of it: it is a hint, never worth failing for."""
    entries: list[OutlineEntry] = []
    try:
        for bookmark in pdf.get_toc(max_depth=8):
            entry = _outline_entry(bookmark, page_count)
            if entry is not None:
                entries.append(entry)
            if len(entries) >= _MAX_OUTLINE_ENTRIES:
                break
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):
        pass
    return entries


def _outline_entry(bookmark: pdfium.PdfBookmark, page_count: int) -> OutlineEntry | None:
    try:
        raw_title = bookmark.get_title()
    except UnicodeDecodeError:
        return None
    title = " ".join(normalize_chars(raw_title).replace(MARK, "").split())
    dest = bookmark.get_dest()
    index = dest.get_index() if dest is not None else None
    if not title or index is None or not 0 <= index < page_count:
        return None
    return OutlineEntry(title=title, level=bookmark.level + 1, page=index + 1)


def _title(pdf: pdfium.PdfDocument) -> str | None:
    try:
        title = " ".join(pdf.get_metadata_value("Title").split())
    except (pdfium.PdfiumError, UnicodeDecodeError):
        return None
    for prefix in ("Microsoft Word - ", "Microsoft PowerPoint - "):
        title = title.removeprefix(prefix)
    # Producers fill in placeholders and file names; neither is a title a person would use.
    if title.casefold() in _PLACEHOLDER_TITLES or _FILE_NAME.search(title):
        return None
    return title or None
