"""Decide what a file really is from its first bytes; the name only picks Markdown vs text."""

from __future__ import annotations

from typing import Literal

from charset_normalizer import from_bytes

from learningos.content.document import IngestError

# How much of the file the caller should pass: enough for the PDF header search and for a
# reliable text/binary verdict.
HEAD_BYTES = 8192

# Magic numbers of common binary formats people upload by mistake (Office, images, archives).
_BINARY_MAGIC = (
    b"PK\x03\x04",  # zip: docx, epub, xlsx, odt
    b"\x89PNG",
    b"\xff\xd8\xff",  # jpeg
    b"GIF8",
    b"\xd0\xcf\x11\xe0",  # OLE: doc, xls, ppt
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"RIFF",
    b"II*\x00",  # tiff
    b"MM\x00*",
    b"%!PS",
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def sniff_kind(data_head: bytes, filename: str) -> Literal["pdf", "text", "markdown"]:
    """The kind of a file from its first bytes (pass at least the first 1024, ideally
    `HEAD_BYTES`). A PDF renamed .txt is a PDF. A text file named .pdf is refused: the
    learner meant to upload a PDF, and a one-concept course made of its text would hide that.

    Raises IngestError("empty") for no bytes, ("unsupported_type") for binary content,
    ("not_a_pdf") for text named .pdf.
    """
    if not data_head:
        raise IngestError.of("empty")
    # Some producers put junk before the header; readers accept it within the first 1024 bytes.
    if b"%PDF-" in data_head[:1024]:
        return "pdf"
    if not looks_like_text(data_head):
        raise IngestError.of("unsupported_type")
    if filename.lower().endswith(".pdf"):
        raise IngestError.of("not_a_pdf")
    return "markdown" if filename.lower().endswith(_MARKDOWN_SUFFIXES) else "text"


def looks_like_text(head: bytes) -> bool:
    """True when the bytes decode as text in some encoding and are not a known binary format."""
    if head.startswith(_BOMS):
        return True  # UTF-16 text has NUL bytes, but its byte-order mark vouches for it
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return False
    if _is_utf8(head):
        return _few_controls(head.decode("utf-8", errors="ignore"))
    best = from_bytes(head).best()
    return best is not None and _few_controls(str(best))


def _is_utf8(head: bytes) -> bool:
    # The head may end inside a multi-byte character: forgive up to 3 trailing bytes.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def _few_controls(text: str) -> bool:
    """Binary data decoded as a legacy 8-bit code page is full of control characters."""
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= max(2, len(text) // 100)
