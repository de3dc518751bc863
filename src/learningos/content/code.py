"""Code listings and other preformatted lines in PDF pages, kept as they are typeset.

PDFium's page text loses each line's indentation, and the cleaning that suits prose
(collapsing spaces, joining) would flatten a listing further. A line is preformatted when it is
set in a monospaced font: its characters advance by the same width (books rarely name their
typewriter fonts in a way one could rely on, and a prose line that merely starts with a code
word is proportional after it). Such lines get their indentation back, measured from where
the block's leftmost line starts, and each run of them is wrapped in Markdown fences
(FENCE lines), which cleaning, the roles and the page renderer all recognise.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from learningos.content.clean import FENCE

_WORDY = re.compile(r"[A-Za-z_]{2}|>>>")
_UNIFORM = 0.04  # largest spread (relative to the median) of character advances in a listing
_MIN_CHARS = 3


@dataclass(frozen=True)
class CodeLine:
    text: str  # the line without its indentation
    x: float  # where its first character starts, in points
    advance: float  # the font's character width, in points


def code_lines(textpage: pdfium.PdfTextPage) -> list[CodeLine]:
    """The page's lines set in a monospaced font, in reading order."""
    text = textpage.get_text_range()
    lines: list[tuple[str, int, int]] = []  # (stripped text, first char index, last char index)
    position = 0  # PDFium's text indices count UTF-16 code units
    for line in text.split("\r\n"):
        stripped = line.strip()
        if stripped:
            lead = position + _utf16_len(line[: len(line) - len(line.lstrip())])
            first = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, lead)
            last = pdfium_c.FPDFText_GetCharIndexFromTextIndex(
                textpage, lead + _utf16_len(stripped) - 1
            )
            if first >= 0 and last >= first:
                lines.append((stripped, first, last))
        position += _utf16_len(line) + 2
    if not lines:
        return []
    fonts = [_font(textpage, first) for _, first, _ in lines]
    weight: Counter[str] = Counter()
    for (stripped, _, _), font in zip(lines, fonts, strict=True):
        weight[font] += len(stripped)
    body = weight.most_common(1)[0][0]
    advances: dict[int, float] = {}
    for n, ((_, first, last), font) in enumerate(zip(lines, fonts, strict=True)):
        if font == body:
            continue  # the page's running text (a book typeset in a typewriter font is prose)
        advance = _uniform_advance(textpage, first, last)
        if advance is not None:
            advances[n] = advance
    # A line too short to measure ("0.4", the output of a prompt) is code when its font is.
    code_fonts = {fonts[n]: a for n, a in advances.items()}
    found = []
    for n, ((stripped, first, _), font) in enumerate(zip(lines, fonts, strict=True)):
        advance = advances.get(n) or (code_fonts.get(font) if len(stripped) <= _MIN_CHARS else None)
        if advance is not None:
            found.append(CodeLine(stripped, _origin_x(textpage, first), advance))
    return found


def fence_code(text: str, code: list[CodeLine]) -> str:
    """The page text with its code lines indented as typeset and each run of them fenced."""
    if not code:
        return text
    out: list[str] = []
    run: list[tuple[str, CodeLine]] = []
    pending = list(code)

    def flush() -> None:
        if run and not any(_WORDY.search(line) for line, _ in run):
            out.extend(line for line, _ in run)  # figure ticks, table digits: not code
            run.clear()
        if run:
            left = min(c.x for _, c in run)
            out.append(FENCE)
            for line, c in run:
                out.append(" " * max(0, round((c.x - left) / c.advance)) + line)
            out.append(FENCE)
            run.clear()

    for line in text.split("\n"):
        key = " ".join(line.split())
        match = next((c for c in pending[:3] if " ".join(c.text.split()) == key), None)
        if key and match is not None:
            pending = pending[pending.index(match) + 1 :]
            run.append((line.strip(), match))
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def _font(textpage: pdfium.PdfTextPage, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, 128, ctypes.byref(flags))
    return f"{buffer.value!r}:{round(pdfium_c.FPDFText_GetFontSize(textpage, index), 1)}"


def _origin_x(textpage: pdfium.PdfTextPage, index: int) -> float:
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
    return float(x.value)


def _uniform_advance(textpage: pdfium.PdfTextPage, first: int, last: int) -> float | None:
    """The common distance between consecutive characters of the line when they are all the
    same (a monospaced font), else None. Spaces PDFium made up itself are skipped."""
    xs: list[float | None] = []
    for index in range(first, last + 1):
        if pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            xs.append(None)
            continue
        xs.append(_origin_x(textpage, index))
    steps = [b - a for a, b in zip(xs, xs[1:], strict=False) if a is not None and b is not None]
    steps = [s for s in steps if s > 0]
    if len(steps) < _MIN_CHARS:
        return None
    middle = statistics.median(steps)
    if middle <= 0 or max(abs(s - middle) for s in steps) > _UNIFORM * middle:
        return None
    return middle


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2
