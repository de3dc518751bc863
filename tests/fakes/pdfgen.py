"""A small PDF writer for tests: pages of text lines in Helvetica (prose) or Courier (code),
each line at its own indentation, so a test can build the PDF it needs on a fresh clone.

The file is a real PDF 1.4 (objects, cross-reference table, trailer) that pdfium reads like
any other; text is drawn with the standard Type 1 fonts, so nothing is embedded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
LEFT, TOP, LEADING = 72, 720, 14
SIZE = 10


@dataclass(frozen=True)
class Line:
    text: str
    code: bool = False  # Courier instead of Helvetica
    indent: int = 0  # leading spaces, drawn as space in the monospaced font
    lead: str = ""  # a code word in Courier at the start of a prose line ("total is …")


def prose(text: str) -> list[Line]:
    """Prose wrapped at about 85 characters per line."""
    lines: list[Line] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > 85:
            lines.append(Line(current))
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(Line(current))
    return lines


def code(block: str) -> list[Line]:
    """A code listing, line by line, its indentation kept."""
    found = []
    for raw in block.strip("\n").splitlines():
        stripped = raw.lstrip(" ")
        found.append(Line(stripped, code=True, indent=len(raw) - len(stripped)))
    return found


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _stream(lines: list[Line]) -> bytes:
    ops = ["BT"]
    y = TOP
    for line in lines:
        x = LEFT + line.indent * SIZE * 0.6  # Courier advances 0.6 em per character
        if line.lead:
            ops.append(f"/F2 {SIZE} Tf 1 0 0 1 {x:.1f} {y} Tm ({_escape(line.lead)}) Tj")
            x += (len(line.lead) + 1) * SIZE * 0.6
        if line.text:
            font = "/F2" if line.code else "/F1"
            ops.append(f"{font} {SIZE} Tf 1 0 0 1 {x:.1f} {y} Tm ({_escape(line.text)}) Tj")
        y -= LEADING
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def write_pdf(path: Path, pages: list[list[Line]]) -> Path:
    """Write the pages (each a list of lines, top to bottom) as a PDF file."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    tree = add(b"")
    helvetica = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    courier = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")
    kids = []
    for lines in pages:
        data = _stream(lines)
        content = add(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(
            add(
                (
                    f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}]"
                    f" /Resources << /Font << /F1 {helvetica} 0 R /F2 {courier} 0 R >> >>"
                    f" /Contents {content} 0 R >>"
                ).encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    refs = " ".join(f"{k} 0 R" for k in kids)
    objects[tree - 1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode()
    path.write_bytes(assemble(objects, root=catalog))
    return path


def assemble(objects: list[bytes], root: int) -> bytes:
    """A PDF file of the numbered objects (1-based, in order), with its cross-reference table
    and a trailer whose root is object `root`."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)
