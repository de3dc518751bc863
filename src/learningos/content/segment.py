"""Segmentation: ordered sections with titles and page ranges, and retrieval-sized chunks.

Headings come from, in order of trust: Markdown headings; the PDF outline, when most of its
titles are found on the pages they point to (a mistitled outline is ignored); headings
detected in the text (see `headings`); failing all of these the document is cut by size.

The non-chunk sections partition the text: joined in order they give back the whole
document. A section longer than `max_chars` keeps its full text and is followed by
overlapping chunks (kind "chunk") whose `parent` is that section; index the chunks and the
sections without chunks for retrieval.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from learningos.content.document import Document, OutlineEntry, Section, SectionKind
from learningos.content.headings import Heading, Line, detect_headings, heading_kind
from learningos.content.text import markdown_headings

_PART_CHUNKS = 4  # a document without headings is cut into parts of about this many chunks
_MIN_OUTLINE_MATCH = 0.5  # share of outline titles that must be found in the text


@dataclass
class Layout:
    """The document's text joined into one string, with where each page and line starts."""

    text: str
    page_starts: list[int]
    page_numbers: list[int]
    lines: list[Line]

    def __post_init__(self) -> None:
        self.line_offsets = [line.offset for line in self.lines]

    @classmethod
    def of(cls, doc: Document) -> Layout:
        starts, lines = [], []
        offset = 0
        for page in doc.pages:
            starts.append(offset)
            for index, line in enumerate(page.text.split("\n")):
                lines.append(Line(offset, line, page.number, index, page.heading_hints))
                offset += len(line) + 1
        text = "\n".join(page.text for page in doc.pages)
        return cls(text, starts, [page.number for page in doc.pages], lines)

    def page_at(self, offset: int) -> int:
        return self.page_numbers[max(0, bisect.bisect_right(self.page_starts, offset) - 1)]


@dataclass
class _Span:
    start: int
    end: int
    title: str
    level: int
    kind: SectionKind


def segment(doc: Document, *, max_chars: int = 2400, overlap_chars: int = 300) -> list[Section]:
    """Split `doc` into sections in reading order, each long one followed by its chunks."""
    if max_chars <= 2 * overlap_chars:
        raise ValueError("max_chars must be more than twice overlap_chars")
    if not doc.pages:
        return []
    layout = Layout.of(doc)
    headings = find_headings(doc, layout)
    if headings:
        spans = _spans_from_headings(doc, layout, headings)
    else:
        spans = _spans_by_size(doc, layout, max_chars * _PART_CHUNKS)
    return _assemble(layout, spans, doc.kind == "pdf", max_chars, overlap_chars)


def find_headings(doc: Document, layout: Layout) -> list[Heading]:
    """The headings to cut at, from the most trustworthy source available."""
    if doc.kind == "markdown":
        found = [
            Heading(offset, title, level, heading_kind(title))
            for offset, level, title in markdown_headings(layout.text)
        ]
        if found:
            return found
    if doc.kind == "pdf" and doc.outline:
        found = headings_from_outline(doc.outline, layout)
        if found:
            return found
    return detect_headings(layout.lines, paged=doc.kind == "pdf")


# --- outline --------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def headings_from_outline(outline: list[OutlineEntry], layout: Layout) -> list[Heading]:
    """Place each bookmark at its title's line on (or just after) the page it points to.

    Returns [] when too few titles are found in the text: such an outline is mistitled or
    points to the wrong pages, and detected headings serve better."""
    first, last = layout.page_numbers[0], layout.page_numbers[-1]
    valid = [e for e in outline if e.title.strip() and first <= e.page <= last]
    entries = sorted(valid, key=lambda entry: entry.page)  # stable: keeps sibling order
    if not entries:
        return []
    found: list[Heading] = []
    matched = 0
    cursor = 0
    for entry in entries:
        located = _find_title(entry, layout, cursor)
        if located is not None:
            matched += 1
            offset, cursor = located
        else:  # not in the text: start at the top of its page, if that is still ahead
            offset = layout.page_starts[_page_index(layout, entry.page)]
            if found and offset <= found[-1].offset:
                continue  # drop it rather than cut a line in two or make an empty section
        found.append(Heading(offset, entry.title, entry.level, heading_kind(entry.title)))
        cursor = max(cursor, offset + 1)
    if matched < _MIN_OUTLINE_MATCH * len(entries):
        return []
    return found


def _page_index(layout: Layout, page: int) -> int:
    return min(max(bisect.bisect_left(layout.page_numbers, page), 0), len(layout.page_starts) - 1)


def _find_title(entry: OutlineEntry, layout: Layout, cursor: int) -> tuple[int, int] | None:
    """Where the heading showing the entry's title starts, and where the next search may
    start; looked for on the entry's page and the next."""
    wanted = {_key(entry.title), _key(re.sub(r"^[\dIVXivx.]+\s+", "", entry.title))} - {""}
    if not wanted:
        return None
    first = _page_index(layout, entry.page)
    begin = max(cursor, layout.page_starts[first])
    stop = layout.page_starts[first + 2] if first + 2 < len(layout.page_starts) else None
    start_line = bisect.bisect_left(layout.line_offsets, begin)
    for i in range(start_line, len(layout.lines)):
        line = layout.lines[i]
        if stop is not None and line.offset >= stop:
            break
        key = _key(line.text)
        if not key:
            continue
        joined = key + _key(layout.lines[i + 1].text) if i + 1 < len(layout.lines) else key
        if key in wanted or joined in wanted or _key(_strip_number(line.text)) in wanted:
            return _with_label(layout, i, begin), line.offset + len(line.text) + 1
    return None


_LABEL_LINE = re.compile(
    r"^(chapter|kapitel|chapitre|capítulo|part|teil|lecture|lesson|unit|appendix|anhang)?"
    r"\s*[\dIVXLC]{1,6}\.?$",
    re.I,
)


def _with_label(layout: Layout, i: int, begin: int) -> int:
    """Start at the "Chapter 3" line when the title found is on the line below it."""
    line = layout.lines[i]
    if i > 0:
        above = layout.lines[i - 1]
        if above.offset >= begin and above.page == line.page and _LABEL_LINE.match(above.text):
            return above.offset
    return line.offset


def _strip_number(text: str) -> str:
    return re.sub(r"^(chapter|kapitel|part|teil)?\s*[\dIVX.]+\s+", "", text.strip(), flags=re.I)


# --- spans ----------------------------------------------------------------------------------


def _spans_from_headings(doc: Document, layout: Layout, headings: list[Heading]) -> list[_Span]:
    spans = []
    front = layout.text[: headings[0].offset]
    if front.strip():
        title = doc.title or _first_line(front) or "Front matter"
        spans.append(_Span(0, headings[0].offset, title, 1, "front_matter"))
    for heading, nxt in zip(headings, [*headings[1:], None], strict=True):
        end = nxt.offset if nxt is not None else len(layout.text)
        spans.append(_Span(heading.offset, end, heading.title, heading.level, heading.kind))
    if not front.strip():
        spans[0].start = 0  # blank lines before the first heading go with it
    return spans


def _spans_by_size(doc: Document, layout: Layout, part_chars: int) -> list[_Span]:
    """Parts of about `part_chars`, cut at page breaks (PDF) or paragraph breaks (text)."""
    text = layout.text
    if doc.kind == "pdf":
        cuts = layout.page_starts[1:]
    else:
        cuts = [m.end() for m in re.finditer(r"\n\s*\n", text)]
    spans: list[_Span] = []
    start = 0
    for cut in [*cuts, len(text)]:
        if cut - start >= part_chars or cut == len(text):
            spans.append(_Span(start, cut, "", 1, "section"))
            start = cut
    for number, span in enumerate(spans, start=1):
        span.title = _part_title(doc, layout, span, number, len(spans))
    return spans


def _part_title(doc: Document, layout: Layout, span: _Span, number: int, total: int) -> str:
    if doc.kind == "pdf" and total > 1:
        first, last = layout.page_at(span.start), layout.page_at(max(span.start, span.end - 1))
        pages = f"page {first}" if first == last else f"pages {first}–{last}"
        return f"{doc.title}, {pages}" if doc.title else pages.capitalize()
    first_line = _first_line(layout.text[span.start : span.end])
    name = doc.title or first_line or "Text"
    return name if total == 1 else f"{name} (part {number} of {total})"


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return line if len(line) <= 80 else line[:77].rstrip() + "…"


# --- sections and chunks --------------------------------------------------------------------


def _assemble(
    layout: Layout, spans: list[_Span], paged: bool, max_chars: int, overlap_chars: int
) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, int]] = []  # (level, index) of the open ancestors
    for span in spans:
        while stack and stack[-1][0] >= span.level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        kind = span.kind
        if kind == "section" and parent is not None and sections[parent].kind == "front_matter":
            kind = "front_matter"  # "0.1 How I wrote this book" belongs to the preface
        text = layout.text[span.start : span.end]
        pages = _pages(layout, span.start, span.end) if paged else (None, None)
        title = span.title.strip() or _first_line(text) or "Untitled section"
        sections.append(Section(title, span.level, kind, text, *pages, parent))
        index = len(sections) - 1
        stack.append((span.level, index))
        for start, end in _chunk_bounds(text, max_chars, overlap_chars):
            chunk_pages = _pages(layout, span.start + start, span.start + end)
            sections.append(
                Section(
                    f"{title} (part {len(sections) - index})",
                    span.level + 1,
                    "chunk",
                    text[start:end],
                    *(chunk_pages if paged else (None, None)),
                    index,
                )
            )
    return sections


def _pages(layout: Layout, start: int, end: int) -> tuple[int | None, int | None]:
    """Pages of the first and last visible characters of text[start:end]."""
    piece = layout.text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece.rstrip())
    if trail <= lead:
        return layout.page_at(start), layout.page_at(start)
    return layout.page_at(start + lead), layout.page_at(start + trail - 1)


def _chunk_bounds(text: str, max_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """Overlapping windows of at most `max_chars`, cut at paragraph, sentence or word ends."""
    if len(text.strip()) <= max_chars:
        return []
    bounds = []
    start = len(text) - len(text.lstrip())
    while True:
        if len(text) - start <= max_chars:
            bounds.append((start, len(text.rstrip())))
            return bounds
        end = _cut(text, start + max_chars // 2, start + max_chars)
        bounds.append((start, end))
        start = _word_start(text, max(end - overlap_chars, start + 1), end)


def _cut(text: str, low: int, high: int) -> int:
    for pattern in ("\n\n", ". ", ".\n", "\n", " "):
        at = text.rfind(pattern, low, high)
        if at >= 0:
            return at + len(pattern.rstrip())
    return high


def _word_start(text: str, at: int, limit: int) -> int:
    """The start of the first word at or after `at` (so a chunk never opens mid-word)."""
    if at > 0 and not text[at - 1].isspace():
        space = re.compile(r"\s+").search(text, at, limit)
        if space is not None:
            at = space.end()
    while at < limit and text[at].isspace():
        at += 1
    return at
