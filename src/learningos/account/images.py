"""Profile pictures are recognised from their bytes, never from the file name or the browser's
content type: a PNG, JPEG or WebP header with plausible dimensions, or nothing.

Only the header is read (no image library is needed, and nothing is decoded): the picture is
served back with the type found here and `nosniff`, so a file that only pretends to be an
image can never be run as anything else.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from learningos.kit.errors import UnsupportedMedia, ValidationFailed

MAX_SIDE = 10_000  # pixels; real photos are far smaller, a larger header is a crafted file
NOT_AN_IMAGE = "This file is not a PNG, JPEG or WebP image. Choose a photo in one of these formats."

# JPEG start-of-frame markers (they carry the dimensions); C4, C8 and CC are other segments.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


@dataclass(frozen=True)
class ImageInfo:
    kind: str  # png | jpeg | webp
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "jpg" if self.kind == "jpeg" else self.kind

    @property
    def media_type(self) -> str:
        return f"image/{self.kind}"


MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def sniff_image(data: bytes) -> ImageInfo:
    """The image's kind and size from its header; UnsupportedMedia for anything else."""
    if not data:
        message = "The file is empty. Choose a photo to upload."
        raise ValidationFailed(message, details=[{"field": "avatar", "message": message}])
    size: tuple[int, int] | None = None
    kind = ""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind, size = "png", _png_size(data)
    elif data.startswith(b"\xff\xd8\xff"):
        kind, size = "jpeg", _jpeg_size(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind, size = "webp", _webp_size(data)
    if size is None or not all(0 < side <= MAX_SIDE for side in size):
        raise UnsupportedMedia(NOT_AN_IMAGE, details=[{"field": "avatar", "message": NOT_AN_IMAGE}])
    return ImageInfo(kind, *size)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk must be IHDR (13 bytes): width and height, big-endian.
    if len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2:
            return None
        if marker in _SOF:
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        b0, b1, b2, b3 = data[21:25]
        width = 1 + (b0 | (b1 & 0x3F) << 8)
        height = 1 + (b1 >> 6 | b2 << 2 | (b3 & 0x0F) << 10)
        return width, height
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    return None
