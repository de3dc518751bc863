"""Cover uploads are checked from their bytes and re-encoded: formats, dimensions read from
the header before decoding (a decompression bomb is refused, not decoded), orientation and
transparency kept."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from learningos.content.covers import COVER_MAX_SIDE, reencode
from learningos.kit.errors import ValidationFailed


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims these dimensions, with (almost) no pixels behind it."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(50_000, 50_000), (9_000, 100), (100, 9_000), (7_000, 7_000)])
def test_oversized_headers_are_refused_before_decoding(size: tuple[int, int]):
    with pytest.raises(ValidationFailed) as caught:
        reencode(png_header(*size))
    assert caught.value.details[0]["field"] == "file"


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"GIF89a\x01\x00\x01\x00", encoded(Image.new("RGB", (40, 40)), "BMP")],
)
def test_other_bytes_are_not_images(data: bytes):
    with pytest.raises(ValidationFailed):
        reencode(data)


def test_transparency_and_orientation_are_kept():
    clear = Image.new("RGBA", (64, 32), (255, 0, 0, 0))
    out = Image.open(BytesIO(reencode(encoded(clear, "PNG"))))
    assert out.format == "WEBP" and out.mode == "RGBA" and out.size == (64, 32)

    wide = Image.new("RGB", (80, 40), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to display
    out = Image.open(BytesIO(reencode(encoded(wide, "JPEG", exif=exif.tobytes()))))
    assert out.size == (40, 80) and out.mode == "RGB"


def test_large_images_are_scaled_down():
    big = Image.new("RGB", (4000, 1000), (1, 2, 3))
    out = Image.open(BytesIO(reencode(encoded(big, "PNG"))))
    assert out.size == (COVER_MAX_SIDE, 300)
