"""Cleaning of extracted text: characters, running heads and page numbers, hyphenation.

Pages keep their identity: cleaning never moves text from one page to another, except the
second half of a word hyphenated across a page break, which joins its first half.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

# pdfium marks a hyphen it found at a line end with U+0002 (older builds: U+FFFE); typeset
# text may carry soft hyphens. All become one internal marker, resolved by `_join_marked`.
MARK = "\x02"
FENCE = "```"  # a line of its own around preformatted lines (see content/code.py)

_CHAR_MAP: dict[int, str | None] = {
    **{ord(k): v for k, v in {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"}.items()},
    ord("ﬅ"): "st",
    ord("ﬆ"): "st",
    0xFFFE: MARK,
    0x00AD: MARK,
    0xFFFF: None,
    0xFEFF: None,  # byte-order mark / zero-width no-break space
    0x200B: None,  # zero-width space
    0x000D: "\n",
    **{cp: " " for cp in (0x00A0, 0x2007, 0x202F, 0x205F, 0x3000, 0x0009, 0x000B, 0x000C)},
    **{cp: " " for cp in range(0x2000, 0x200B)},
    # Other C0 controls: pdfium emits them for glyphs without a Unicode mapping (often a
    # space glyph), so a space keeps the neighbouring words apart.
    **{cp: " " for cp in (*range(0x00, 0x02), *range(0x03, 0x09), *range(0x0E, 0x20), 0x7F)},
}
_ODD_CHARS = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _CHAR_MAP) + "]")
_SPACES = re.compile(r"[ ]{2,}")
_LETTERS = r"[^\W\d_]"


def normalize_chars(text: str, *, keep_indent: bool = False) -> str:
    """Unify line ends, compose accents (NFC), expand ligatures, turn odd spaces and control
    characters into plain spaces, and tidy each line's spacing (keeping its indentation when
    asked: it matters in Markdown and code)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    if keep_indent:
        text = text.expandtabs(4)
    # A regex finds the rare odd characters much faster than str.translate walks every one.
    text = _ODD_CHARS.sub(lambda m: _CHAR_MAP[ord(m.group())] or "", text)
    if not keep_indent and FENCE not in text:
        text = _SPACES.sub(" ", text)
    return _tidy_lines(text.split("\n"), keep_indent)


def _tidy_lines(lines: list[str], keep_indent: bool) -> str:
    """Each line tidied; lines between fences (code, kept so by the PDF reader) keep their
    indentation whatever `keep_indent` says."""
    out = []
    inside = False
    for line in lines:
        if line.strip() == FENCE:
            inside = not inside
            out.append(FENCE)
        else:
            out.append(_tidy_line(line, keep_indent or inside))
    return "\n".join(out)


def _tidy_line(line: str, keep_indent: bool) -> str:
    if not keep_indent:
        return _SPACES.sub(" ", line).strip() if "  " in line else line.strip()
    body = line.lstrip(" ")
    return line[: len(line) - len(body)] + _SPACES.sub(" ", body.rstrip()) if body else ""


def clean_pages(raw_pages: list[str], *, keep_indent: bool = False) -> list[str]:
    """Clean the text of every page of one document (PDF pages, or one page for a text file)."""
    pages = [normalize_chars(text, keep_indent=keep_indent) for text in raw_pages]
    lines = remove_running_lines([page.split("\n") for page in pages])
    pages = ["\n".join(page_lines) for page_lines in lines]
    pages = join_hyphenation(pages)
    return [_tidy(page, keep_indent) for page in pages]


def _tidy(text: str, keep_indent: bool) -> str:
    text = _tidy_lines(text.replace(MARK, "").split("\n"), keep_indent)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n" if keep_indent else None)


# --- hyphenation ---------------------------------------------------------------------------


def join_hyphenation(pages: list[str]) -> list[str]:
    """Join words hyphenated at line ends, within a page and across a page break.

    A hyphen is dropped ("condi-tion" → "condition") unless the document spells the word
    with a hyphen elsewhere and never without ("data-driven" stays)."""
    if not any(MARK in page or "-\n" in page or page.endswith("-") for page in pages):
        return pages
    pages = _pull_split_words(pages)
    spelling = _Spelling(pages)
    return [
        _join_after(_join_after(page, _AFTER_MARK, spelling, False), _AFTER_HYPHEN, spelling, True)
        for page in pages
    ]


class _Spelling:
    """How the document itself spells words, to tell hyphenation from compound words."""

    def __init__(self, pages: list[str]) -> None:
        self._pages = pages
        self._folded: str | None = None
        tokens = [token for token in " ".join(pages).split() if "-" in token]
        self._compounds = {t.strip(".,;:!?()[]\"'“”‘’").casefold() for t in tokens}

    def keeps_hyphen(self, head: str, tail: str) -> bool:
        if f"{head}-{tail}".casefold() not in self._compounds:
            return False
        if self._folded is None:  # rare: only for words also seen as compounds
            self._folded = "\n".join(self._pages).replace(MARK, "").casefold()
        return not _has_word(self._folded, (head + tail).casefold())


def _has_word(text: str, word: str) -> bool:
    """`word` occurs in `text` as a whole word (str.find is far faster than a regex here)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        ):
            return True
        at = text.find(word, at + 1)
    return False


# Both patterns start with a literal, so the regex engine jumps between candidates quickly;
# the word before the hyphen is found by scanning back by hand.
_AFTER_MARK = re.compile(rf"{MARK}[ ]*(\n?)[ ]*({_LETTERS}+)(\S*)([ ]*)")
_AFTER_HYPHEN = re.compile(rf"-(\n)[ ]*({_LETTERS}+)(\S*)([ ]*)")


def _join_after(text: str, pattern: re.Pattern[str], spelling: _Spelling, plain: bool) -> str:
    parts: list[str] = []
    done = 0
    for match in pattern.finditer(text):
        start = match.start()
        head_start = start
        while head_start > done and text[head_start - 1].isalpha():
            head_start -= 1
        head, newline, tail, rest, spaces = text[head_start:start], *match.groups()
        if not head or (plain and not tail[0].islower()):
            continue  # "Smith-\nJones", "COVID-\n19": not hyphenation
        hyphen = "-" if spelling.keeps_hyphen(head, tail) else ""
        parts += [text[done:head_start], head, hyphen, tail, rest]
        done = match.end()
        # The joined word ends the first line; the rest of the second line stays below it.
        if not newline:
            parts.append(spaces)
        elif done < len(text) and text[done] != "\n":
            parts.append(newline)
    parts.append(text[done:])
    return "".join(parts)


def _pull_split_words(pages: list[str]) -> list[str]:
    """Move the second half of a word hyphenated across a page break back to its first half."""
    pages = list(pages)
    for i in range(len(pages) - 1):
        ending = pages[i].rstrip()
        if len(ending) < 2 or ending[-1] not in (MARK, "-") or not ending[-2].isalpha():
            continue
        following = pages[i + 1].lstrip()
        token, _, rest = following.partition("\n")[0].partition(" ")
        if not token or not token[0].islower():
            continue
        remainder = following[len(token) :].lstrip(" ")
        pages[i] = f"{ending}\n{token}" if ending.endswith("-") else ending + token
        pages[i + 1] = remainder.lstrip("\n") if remainder.startswith("\n") else remainder
    return pages


# --- running heads, footers and page numbers -------------------------------------------------

_ROMAN = re.compile(r"^(?=[ivxl])(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$")
_WHOLE_NUMBER = re.compile(
    r"^(?:page|seite|p\.)?\s*[-–—(\[]?\s*(\d{1,4}|[ivxl]+)\s*[-–—)\]]?"
    r"(?:\s*(?:/|of|von|de|sur)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_NUMBERED_PREFIX = re.compile(r"^(\d+(?:\.\d+)*\.?\s+\S.{0,80}?)\s+(\d{1,4})\s+(\S.*)$")
_HEAD_START = re.compile(r"^(\d+(?:\.\d+)*\.?|chapter|part|section|appendix)\b", re.IGNORECASE)
EDGE_LINES = 2  # how many lines at the top and at the bottom of a page can be heads/footers


@dataclass(frozen=True)
class _NumberLine:
    """A page-edge line that carries a page number: how it is laid out and what else it says."""

    index: int
    kind: str  # "arabic" | "roman"
    offset: int  # printed number minus physical page number
    layout: str  # "whole" | "start" | "end" | "middle"
    rest: str  # the line without its number (the running head, if any)
    tail: str = ""  # text after the number on a "middle" line (e.g. a figure label)


def remove_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers, running heads and footers from pages given as lists of lines.

    A page number is a number at a page edge whose difference from the physical page number
    recurs on several pages (so printed numbering that starts late or restarts is handled).
    A footer or head without a number is a line repeated at the edge of many pages."""
    if len(pages) < 2:
        return pages
    numbered = _page_number_lines(pages)
    repeated = _repeated_edge_lines(pages)
    heads = Counter(line.rest for found in numbered for line in found if line.rest)
    cleaned = []
    for page_lines, found, drop in zip(pages, numbered, repeated, strict=True):
        replace = {line.index: _keep_after_head(line, heads) for line in found}
        kept = [replace.get(i, text) for i, text in enumerate(page_lines) if i not in drop]
        cleaned.append([text for text in kept if text is not None])
    return cleaned


def _keep_after_head(line: _NumberLine, heads: Counter[str]) -> str | None:
    """What stays of a page-number line: nothing, or text that shares the line with the head
    (pdfium sometimes puts a figure label on the same line as the running head)."""
    if line.layout == "middle":
        return line.tail
    if heads[line.rest] >= 2:
        return None
    for head, count in heads.items():
        if count >= 2 and line.rest.startswith(head + " "):
            return line.rest[len(head) + 1 :]
    return None


def _edge_indices(lines: list[str]) -> tuple[list[int], list[int]]:
    # A fence opening or closing a listing at a page edge is no running head.
    filled = [i for i, text in enumerate(lines) if text and text.strip() != FENCE]
    top = filled[:EDGE_LINES]
    bottom = [i for i in reversed(filled[-EDGE_LINES:]) if i not in top]
    return top, bottom


def _page_number_lines(pages: list[list[str]]) -> list[list[_NumberLine]]:
    """For every page, its (at most one top and one bottom) page-number lines."""
    candidates = []
    support: Counter[tuple[str, ...]] = Counter()
    for number, lines in enumerate(pages, start=1):
        top, bottom = _edge_indices(lines)
        found = [
            [c for i in side for c in _parse_number_line(i, lines[i], number)]
            for side in (top, bottom)
        ]
        candidates.append(found)
        support.update({_key(c, side) for side, cs in enumerate(found) for c in cs})
    needed = _threshold(len(pages), share=0.0, small_share=0.5)
    popular = {key for key, count in support.items() if count >= needed}
    result = []
    for found in candidates:
        chosen = []
        for side, side_candidates in enumerate(found):  # outermost first, one per edge
            match = next((c for c in side_candidates if _key(c, side) in popular), None)
            if match is not None:
                chosen.append(match)
        result.append(chosen)
    return result


def _key(line: _NumberLine, side: int) -> tuple[str, ...]:
    """Page numbers keep their place: same numbering, same edge, same side of the head.
    (A "middle" line is a head with its number followed by stray text: an "end" layout.)"""
    layout = "end" if line.layout == "middle" else line.layout
    return (line.kind, str(line.offset), str(side), layout)


def _parse_number_line(index: int, text: str, page: int) -> list[_NumberLine]:
    """Every reading of `text` as a line that carries page number `page`."""
    readings = []
    whole = _WHOLE_NUMBER.match(text)
    if whole:
        readings.append(("whole", whole.group(1), "", ""))
    parts = text.split(" ")
    if len(parts) > 1 and _looks_like_head(" ".join(parts[1:])):
        readings.append(("start", parts[0], " ".join(parts[1:]), ""))
    if len(parts) > 1 and _looks_like_head(" ".join(parts[:-1])) and not _is_label(parts[-2]):
        readings.append(("end", parts[-1], " ".join(parts[:-1]), ""))
    middle = _NUMBERED_PREFIX.match(text)
    if middle:
        readings.append(("middle", middle.group(2), middle.group(1), middle.group(3)))
    found = []
    for layout, token, rest, tail in readings:
        value = _page_value(token, allow_upper=layout == "whole")
        if value is not None:
            found.append(_NumberLine(index, value[0], value[1] - page, layout, rest, tail))
    return found


_LABELS = {
    "chapter",
    "part",
    "section",
    "appendix",
    "lecture",
    "lesson",
    "unit",
    "book",
    "volume",
    "kapitel",
    "teil",
    "chapitre",
    "capítulo",
    "week",
}


def _is_label(word: str) -> bool:
    """ "Chapter 1" is a heading even when chapter 1 starts on printed page 1."""
    return word.casefold() in _LABELS


def _looks_like_head(rest: str) -> bool:
    words = rest.split()
    if not words or len(words) > 10 or rest[-1] in ".,;:":
        return False
    return len(words) <= 5 or bool(_HEAD_START.match(rest))


def _page_value(token: str, *, allow_upper: bool) -> tuple[str, int] | None:
    if token.isascii() and token.isdigit() and len(token) <= 4:
        return "arabic", int(token)
    # Upper-case roman numerals only alone on a line: "I think…" must not read as page 1.
    lowered = token.lower() if allow_upper else token
    if _ROMAN.match(lowered):
        return "roman", _roman_value(lowered)
    return None


def _roman_value(token: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50}
    total = 0
    for ch, nxt in zip(token, [*token[1:], ""], strict=True):
        value = values[ch]
        total += -value if nxt and values[nxt] > value else value
    return total


def _threshold(pages: int, *, share: float, small_share: float) -> int:
    """How many pages must agree before a pattern counts as page furniture."""
    if pages < 6:
        return max(2, math.ceil(small_share * pages))
    return max(3, math.ceil(share * pages))


def _repeated_edge_lines(pages: list[list[str]]) -> list[set[int]]:
    """Indices, per page, of edge lines that recur (digits ignored) on many pages."""
    keyed = []
    counts: Counter[str] = Counter()
    for lines in pages:
        top, bottom = _edge_indices(lines)
        keys = {i: re.sub(r"\d+", "#", lines[i].casefold()) for i in top + bottom}
        keyed.append(keys)
        counts.update(set(keys.values()))
    needed = _threshold(len(pages), share=0.25, small_share=0.6)
    return [{i for i, key in keys.items() if counts[key] >= needed} for keys in keyed]
