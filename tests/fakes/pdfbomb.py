"""A decompression bomb: a small PDF whose one page's Flate content stream expands to many
megabytes (blank space after a line of real text), written without ever holding the expanded
stream in memory."""

from __future__ import annotations

import zlib
from pathlib import Path

from tests.fakes.pdfgen import assemble

_TEXT = b"BT /F1 12 Tf 72 720 Td (A page that expands to a very large stream.) Tj ET\n"


def write_pdf_bomb(path: Path, expanded_mb: int) -> Path:
    """Write a one-page PDF at `path` whose content stream inflates to `expanded_mb` MB."""
    packer = zlib.compressobj(9)
    stream = [packer.compress(_TEXT)]
    block = b" " * (1 << 20)
    for _ in range(expanded_mb):
        stream.append(packer.compress(block))
    stream.append(packer.flush())
    data = b"".join(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.write_bytes(assemble(objects, root=1))
    return path
