"""Data types shared by extraction, cleaning and segmentation.

Page numbers are 1-based physical page numbers (the n-th page of the file), never the
printed page labels: questions and citations must point at the page a viewer opens.

Text and Markdown files have no pages. They are extracted as one `Page(number=1)` that holds
the whole cleaned text, and `segment` gives their sections `page_start = page_end = None`,
so nothing downstream can cite a page that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DocumentKind = Literal["pdf", "text", "markdown"]
SectionKind = Literal["section", "glossary", "exercises", "front_matter", "chunk"]

# Machine codes of IngestError, each with the message a person sees by default.
MESSAGES: dict[str, str] = {
    "empty": "The file is empty.",
    "unsupported_type": "This file type is not supported. Upload a PDF, text or Markdown file.",
    "encrypted": "This PDF is password-protected. Remove the password and upload it again.",
    "damaged": "The file is damaged and cannot be read.",
    "no_text": "This PDF has no text layer — it looks scanned. Upload a PDF with selectable text.",
    "too_many_pages": "This PDF has too many pages.",
    "not_text": "This file does not contain readable text.",
    "not_a_pdf": (
        "This file is named .pdf but it is not a PDF: its contents are plain text. Rename it "
        "to .txt (or .md) and upload it again, or upload the real PDF."
    ),
}


class IngestError(Exception):
    """A file we cannot ingest, with a machine code and a message for a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def of(cls, code: str, detail: str | None = None) -> IngestError:
        """The error for `code` with its standard message, optionally followed by detail."""
        message = MESSAGES[code]
        return cls(code, f"{message[:-1]} ({detail})." if detail else message)

    def __repr__(self) -> str:
        return f"IngestError({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class Page:
    """One physical page of cleaned text.

    `heading_hints` lists lines of this page set in a larger font than the page's body text,
    with their font size; segmentation uses them to recognise headings. Only PDFs have them.
    """

    number: int
    text: str
    heading_hints: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class OutlineEntry:
    """A bookmark (PDF) or heading (Markdown): level 1 is the top level."""

    title: str
    level: int
    page: int


@dataclass
class Document:
    """An extracted, cleaned document."""

    kind: DocumentKind
    pages: list[Page]
    outline: list[OutlineEntry]
    title: str | None
    page_count: int
    extras: dict[str, object] = field(default_factory=dict)


@dataclass
class Section:
    """A piece of a document in reading order.

    `parent` is the index, in the list `segment` returns, of the enclosing section; chunks
    point at the section they were cut from. Page ranges are None for text and Markdown.
    """

    title: str
    level: int
    kind: SectionKind
    text: str
    page_start: int | None
    page_end: int | None
    parent: int | None
