"""A text PDF made with pdfium (the project's PDF library), for tests that need a book-shaped
PDF: Markdown headings become lines in larger fonts, paragraphs wrapped lines, A4 pages."""

from __future__ import annotations

import ctypes
import textwrap
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

SIZES = {"# ": 20.0, "## ": 14.0}
BODY = 10.0


def markdown_to_pdf(markdown: str, path: Path) -> Path:
    """Write `markdown` (headings and paragraphs only) as a PDF at `path`."""
    lines: list[tuple[str, float]] = []
    for block in markdown.split("\n\n"):
        block = block.strip()
        marker = next((m for m in SIZES if block.startswith(m)), None)
        if marker:
            lines.append((block[len(marker) :], SIZES[marker]))
        elif block:
            lines.extend((line, BODY) for line in textwrap.wrap(" ".join(block.split()), 95))
    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    y = 800.0
    for text, size in lines:
        if y < 60:
            pdfium_c.FPDFPage_GenerateContent(page.raw)
            page, y = document.new_page(595, 842), 800.0
        item = pdfium_c.FPDFPageObj_NewTextObj(document.raw, b"Helvetica", ctypes.c_float(size))
        encoded = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(item, ctypes.cast(encoded, pdfium_c.FPDF_WIDESTRING))
        pdfium_c.FPDFPageObj_Transform(item, 1, 0, 0, 1, 50, y)
        pdfium_c.FPDFPage_InsertObject(page.raw, item)
        y -= size * 1.5
    pdfium_c.FPDFPage_GenerateContent(page.raw)
    document.save(path)
    return path
