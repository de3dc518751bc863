"""Text and Markdown extraction.

A text file has no pages: it becomes one `Page(number=1)` holding the whole cleaned text,
and its sections carry no page range (see `segment`). Markdown headings become the outline
(all on page 1) and the section structure. Indentation is kept, since it carries meaning in
Markdown (code blocks, nested lists) and in plain-text code.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from learningos.content.clean import clean_pages
from learningos.content.document import Document, DocumentKind, IngestError, OutlineEntry, Page

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_BLOCK_START = re.compile(r"^ {0,3}([-*+>]|\d+[.)]|\|)")


def extract_text(data: bytes, *, markdown: bool) -> Document:
    """Decode (UTF-8, UTF-16 with a byte-order mark, or a detected legacy encoding) and clean
    a text or Markdown file. Raises IngestError("empty" | "not_text")."""
    text = decode_text(data)
    cleaned = clean_pages([text], keep_indent=True)[0]
    if not cleaned.strip():
        raise IngestError.of("empty")
    outline: list[OutlineEntry] = []
    title = None
    if markdown:
        outline = [
            OutlineEntry(title=heading, level=level, page=1)
            for _, level, heading in markdown_headings(cleaned)
        ]
        title = next((entry.title for entry in outline if entry.level == 1), None)
    kind: DocumentKind = "markdown" if markdown else "text"
    return Document(kind, [Page(number=1, text=cleaned)], outline, title, page_count=1)


def decode_text(data: bytes) -> str:
    """The text of `data`, or IngestError when it is not text in any encoding we can find."""
    if not data.strip():
        raise IngestError.of("empty")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    if b"\x00" in data:
        raise IngestError.of("not_text", "it contains binary data")
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _checked(_decode_legacy(data))


def _decode_legacy(data: bytes) -> str:
    """Decode a non-UTF-8 file with the encoding charset-normalizer finds most plausible,
    preferring Windows-1252 when it is about as plausible: on short Western European text
    the detector often ranks Baltic or Central European code pages first."""
    matches = list(from_bytes(data))
    if not matches:
        return data.decode("cp1252", errors="replace")
    best = matches[0]
    western = next((m for m in matches if m.encoding in _WESTERN), None)
    if western is not None and western.chaos <= best.chaos + 0.1:
        best = western
    return str(best)


def _checked(text: str) -> str:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(2, len(text) // 100) or text.count("\ufffd") > max(2, len(text) // 100):
        raise IngestError.of("not_text", "it contains binary data")
    return text


def markdown_headings(text: str) -> list[tuple[int, int, str]]:
    """(offset, level, title) of each ATX (`## Title`) or setext (underlined) heading, skipping
    fenced code and a YAML front-matter block."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found = []
    in_fence = False
    start = _front_matter_end(lines)
    for i in range(start, len(lines)):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        atx = _ATX.match(line)
        if atx and _plain(atx.group(2)):
            found.append((offsets[i], len(atx.group(1)), _plain(atx.group(2))))
        elif _SETEXT.match(line) and _is_setext_title(lines, i, start):
            level = 1 if line.strip().startswith("=") else 2
            found.append((offsets[i - 1], level, _plain(lines[i - 1])))
    return found


def _front_matter_end(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 200)):
            if lines[i].strip() in ("---", "..."):
                return i + 1
    return 0


def _is_setext_title(lines: list[str], i: int, start: int) -> bool:
    """An underline makes a heading of a lone paragraph line, not of a list item or table."""
    if i - 1 < start or not lines[i - 1].strip() or _BLOCK_START.match(lines[i - 1]):
        return False
    return i - 2 < start or not lines[i - 2].strip()


def _plain(title: str) -> str:
    """A heading's text without emphasis markers or link syntax."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    return " ".join(title.strip(" *_`").split())
