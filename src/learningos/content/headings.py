"""Headings found in the text itself, for documents without a usable outline.

Numbered headings ("1.8 Interpretation", "Chapter 2") are kept only when their numbers form
a consistent sequence (1, 1.1, 1.2, 2, 2.1 …), which filters out numbered lists, code output
and table rows. Well-known names ("Preface", "Glossary") count when they stand out (at a
page top or set in a larger font). Lines in a larger font are the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from learningos.content.document import SectionKind


class Line(NamedTuple):
    """One line of the joined document text (a tuple: a book has tens of thousands)."""

    offset: int
    text: str
    page: int
    row: int  # line number within its page
    hints: tuple[tuple[str, float], ...] = ()

    def hint_size(self) -> float | None:
        stripped = self.text.strip()
        return next((size for text, size in self.hints if text == stripped), None)


@dataclass(frozen=True)
class Heading:
    offset: int
    title: str
    level: int
    kind: SectionKind


_GLOSSARY = re.compile(r"\b(glossary|glossar|glossaire|key terms|vocabulary|terminology)\b", re.I)
_EXERCISES = re.compile(
    r"\b(exercises?|problems|problem set|review questions|practice questions|self[- ]test"
    r"|quiz|(übungs)?aufgaben|übungen|exercices|ejercicios)\b",
    re.I,
)
_FRONT = {
    "preface", "foreword", "contents", "table of contents", "acknowledgements",
    "acknowledgments", "dedication", "copyright", "about the author", "about this book",
    "vorwort", "inhaltsverzeichnis", "inhalt", "danksagung", "danksagungen", "préface",
    "sommaire", "table des matières", "prólogo", "prefacio", "índice",
}  # fmt: skip
_NAMED = _FRONT | {
    "introduction", "abstract", "summary", "conclusion", "conclusions", "references",
    "bibliography", "index", "glossary", "exercises", "problems", "appendix", "notes",
    "further reading", "solutions", "answers", "epilogue", "afterword", "prologue",
    "key terms", "review questions", "einleitung", "zusammenfassung", "literatur",
    "literaturverzeichnis", "stichwortverzeichnis", "glossar", "übungsaufgaben", "aufgaben",
    "anhang", "lösungen", "bibliographie", "exercices", "ejercicios", "bibliografía",
}  # fmt: skip
_INNER_NAMED = {"exercises", "problems", "glossary", "summary", "further reading", "notes",
                "key terms", "review questions", "übungsaufgaben", "aufgaben", "glossar",
                "exercices", "ejercicios", "solutions", "zusammenfassung"}  # fmt: skip
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){0,3})\.?\s+(\S.*)$")
_CHAPTER = re.compile(
    r"^(chapter|kapitel|chapitre|capítulo|lecture|lesson|unit)\s+(\d{1,3}|[IVXLC]{1,7})"
    r"\s*[.:—–-]?\s*(.*)$",
    re.I,
)
_APPENDIX = re.compile(
    r"^(appendix|anhang|part|teil)\s+([A-Z]|[IVX]{1,5}|\d{1,2})\b[.:]?\s*(.*)$", re.I
)
_TOC_END = re.compile(r"\S\s+(\d{1,4}|[ivxlc]{1,6})$")
_TITLE_WORDS = 14
_WINDOW = 300  # how far back the numbering sequence looks for a predecessor


def heading_kind(title: str) -> SectionKind:
    """Glossary and exercise sections are marked as such; everything else is a section."""
    if _GLOSSARY.search(title):
        return "glossary"
    if _EXERCISES.search(title):
        return "exercises"
    if _name(title) in _FRONT:
        return "front_matter"
    return "section"


def detect_headings(lines: list[Line], *, paged: bool) -> list[Heading]:
    """Headings of a document from its lines (`paged`: the lines come from PDF pages)."""
    toc_pages = _toc_pages(lines) if paged else set()
    body = [line for line in lines if line.page not in toc_pages or line.row < 2]
    numbered = _numbered_chain(_numbered_candidates(body))
    named = _named(body, paged, taken={h.offset for h in numbered})
    if numbered:
        return _dedupe(sorted(numbered + named, key=lambda h: h.offset))
    # No numbering: well-known names and lines in a larger font (named ones first at a tie).
    return _dedupe(sorted(named + _by_font_size(lines, toc_pages), key=lambda h: h.offset))


def _name(title: str) -> str:
    return " ".join(title.casefold().strip(" :.").split())


def _title_like(title: str, *, large: bool) -> bool:
    words = title.split()
    if not words or len(words) > _TITLE_WORDS or len(title) > 120 or _toc_like(title):
        return False
    if title[-1] in ".,;:=" or not title[0].isalpha():
        return False
    return large or title[0].isupper()


def _toc_like(text: str) -> bool:
    """A contents or index entry: dot leaders, or text ending in a page number."""
    return ". . ." in text or "...." in text or bool(_TOC_END.search(text[-16:]))


def _toc_pages(lines: list[Line]) -> set[int]:
    """Pages that look like a table of contents or an index: most lines end in a number."""
    counts: dict[int, list[int]] = {}
    for line in lines:
        if line.text:
            entry = counts.setdefault(line.page, [0, 0])
            entry[0] += 1
            entry[1] += _toc_like(line.text)
    return {page for page, (total, toc) in counts.items() if toc >= 4 and toc >= 0.4 * total}


@dataclass(frozen=True)
class _Candidate:
    line: Line
    number: tuple[int, ...]
    title: str
    level: int


def _numbered_candidates(lines: list[Line]) -> list[_Candidate]:
    found = []
    for i, line in enumerate(lines):
        text = line.text.strip()
        large = line.hint_size() is not None
        chapter = _CHAPTER.match(text)
        if chapter:
            number = _number(chapter.group(2))
            title = chapter.group(3) or _next_title(lines, i)
            label = f"{chapter.group(1).capitalize()} {chapter.group(2)}"
            # "Chapter 3 presents the results" is a sentence: an inline title needs a capital.
            if number and (not title or _title_like(title, large=large or not chapter.group(3))):
                found.append(
                    _Candidate(line, (number,), f"{label}: {title}" if title else label, 1)
                )
            continue
        match = _NUMBERED.match(text)
        if match and _title_like(match.group(2), large=large):
            number_ = tuple(int(part) for part in match.group(1).split("."))
            title = f"{match.group(1)} {match.group(2)}"
            found.append(_Candidate(line, number_, title, len(number_)))
    in_large_font = [c for c in found if c.line.hint_size() is not None]
    # When the document shows headings in a larger font, trust only those.
    return in_large_font if len(in_large_font) >= max(2, len(found) // 2) else found


def _next_title(lines: list[Line], i: int) -> str:
    if i + 1 < len(lines) and lines[i + 1].page == lines[i].page:
        following = lines[i + 1].text.strip()
        if _title_like(following, large=True):
            return following
    return ""


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    token = token.upper()
    total = 0
    for ch, nxt in zip(token, [*token[1:], ""], strict=True):
        total += -values[ch] if nxt and values[nxt] > values[ch] else values[ch]
    return total or None


def _follows(prev: tuple[int, ...], cur: tuple[int, ...]) -> bool:
    """`cur` can come right after `prev` in a numbering, allowing a couple of missed ones."""
    if cur[: len(prev)] == prev:  # 1.7 → 1.7.1, 1 → 1.1
        return len(cur) > len(prev) and all(part == 1 for part in cur[len(prev) :])
    for i, (a, b) in enumerate(zip(prev, cur, strict=False)):
        if a != b:
            return 1 <= b - a <= 3 and all(part <= 1 for part in cur[i + 1 :])
    return False


def _numbered_chain(candidates: list[_Candidate]) -> list[Heading]:
    """The longest run of candidates whose numbers follow each other (dynamic programming)."""
    if not candidates:
        return []
    best = [1] * len(candidates)
    before = [-1] * len(candidates)
    for i, cand in enumerate(candidates):
        first = cand.number[0]
        for j in range(max(0, i - _WINDOW), i):
            prev = candidates[j].number
            if 0 <= first - prev[0] <= 3 and best[j] + 1 > best[i] and _follows(prev, cand.number):
                best[i], before[i] = best[j] + 1, j
    # Prefer the chain that ends last: the body comes after a contents list.
    end = max(range(len(candidates)), key=lambda k: (best[k], k))
    chain = []
    while end >= 0:
        chain.append(candidates[end])
        end = before[end]
    if len(chain) < 2:
        return []
    return [Heading(c.line.offset, c.title, c.level, heading_kind(c.title)) for c in chain[::-1]]


def _named(lines: list[Line], paged: bool, *, taken: set[int]) -> list[Heading]:
    """Well-known section names standing alone on a line that stands out."""
    found = []
    for i, line in enumerate(lines):
        text = line.text.strip()
        if len(text) > 80:
            continue
        name = _name(text)
        appendix = _APPENDIX.match(text)
        if line.offset in taken or not (name in _NAMED or (appendix and len(text) < 80)):
            continue
        if paged:
            stands_out = line.row < 2 or line.hint_size() is not None
        else:
            stands_out = i == 0 or not lines[i - 1].text.strip()
        if stands_out and len(text.split()) <= 8:
            inner = bool(taken) and name in _INNER_NAMED
            title = text.rstrip(":")
            found.append(Heading(line.offset, title, 2 if inner else 1, heading_kind(title)))
    return found


def _by_font_size(lines: list[Line], toc_pages: set[int]) -> list[Heading]:
    """Lines set in a larger font, merged when a title wraps; bigger fonts rank higher."""
    picked: list[list] = []  # [first line, size, title, index of the last line merged]
    for line in lines:
        size = line.hint_size()
        text = line.text.strip()
        if size is None or line.page in toc_pages or not _title_like(text, large=True):
            continue
        last = picked[-1] if picked else None
        if (
            last is not None
            and last[1] == size
            and last[0].page == line.page
            and last[3] + 1 == line.row
            and len(last[2]) < 100
        ):
            last[2], last[3] = f"{last[2]} {text}", line.row
        else:
            picked.append([line, size, text, line.row])
    sizes = sorted({entry[1] for entry in picked}, reverse=True)
    return [
        Heading(line.offset, title, min(sizes.index(size) + 1, 3), heading_kind(title))
        for line, size, title, _ in picked
    ]


def _dedupe(headings: list[Heading]) -> list[Heading]:
    seen: set[int] = set()
    result = []
    for heading in headings:
        if heading.offset not in seen:
            seen.add(heading.offset)
            result.append(heading)
    return result
