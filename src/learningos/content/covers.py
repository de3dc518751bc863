"""Cover images of content items: uploaded by the owner, or the first page of a PDF rendered
when it is processed.

An upload is recognised from its bytes by Pillow (PNG, JPEG or WebP; the file name and the
browser's content type are ignored), its dimensions are checked before any pixel is decoded,
and it is decoded and re-encoded as WebP at most COVER_MAX_SIDE pixels on its longer side:
what is stored and served is always an image this module wrote. Decoding runs in a worker
thread. Covers are stored through the app's storage (`covers/<content>/<random>.webp`) and
served at `cover_path`, whose `v` changes with every new cover so that it may be cached.
"""

from __future__ import annotations

import secrets
import tempfile
import uuid
from io import BytesIO
from pathlib import Path, PurePosixPath

import anyio
from fastapi import UploadFile
from PIL import Image, ImageOps, UnidentifiedImageError

from learningos.kit.errors import NotFound, PayloadTooLarge, ValidationFailed
from learningos.kit.logging import get_logger
from learningos.kit.storage import Storage
from learningos.models.content import Content

log = get_logger(__name__)

COVER_MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 8000  # pixels of an upload
MIN_SIDE = 16
MAX_PIXELS = 40_000_000
COVER_MAX_SIDE = 1200  # of the stored cover
THUMBNAIL_WIDTH = 600  # a PDF page rendered as a cover
FORMATS = {"PNG", "JPEG", "WEBP"}
NOT_AN_IMAGE = (
    "This file is not a PNG, JPEG or WebP image. Choose an image in one of these formats."
)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": "file", "message": message}])


async def read_upload(file: UploadFile | None) -> bytes:
    """The uploaded cover's bytes, refused above COVER_MAX_BYTES without reading more."""
    if file is None:
        raise _invalid("Choose an image to upload as the cover.")
    data = await file.read(COVER_MAX_BYTES + 1)
    if len(data) > COVER_MAX_BYTES:
        message = f"The image is larger than {COVER_MAX_BYTES >> 20} MB. Choose a smaller one."
        raise PayloadTooLarge(
            message,
            details=[{"field": "file", "message": message, "limit_bytes": COVER_MAX_BYTES}],
        )
    if not data:
        raise _invalid("The file is empty. Choose an image to upload.")
    return data


def reencode(data: bytes) -> bytes:
    """The upload as a WebP cover (blocking). ValidationFailed (422) when the bytes are not a
    whole PNG, JPEG or WebP image of allowed dimensions."""
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise _invalid(NOT_AN_IMAGE)
            width, height = image.size  # from the header: nothing decoded yet
            if not (min(width, height) >= MIN_SIDE and max(width, height) <= MAX_SIDE) or (
                width * height > MAX_PIXELS
            ):
                raise _invalid(
                    f"The image is {width}×{height} pixels; a cover may be from {MIN_SIDE} to "
                    f"{MAX_SIDE:,} pixels on each side."
                )
            image.load()  # a truncated or damaged file fails here
            return _to_webp(image)
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise _invalid(NOT_AN_IMAGE) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _invalid(NOT_AN_IMAGE) from exc


def _to_webp(image: Image.Image) -> bytes:
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
    converted = upright.convert(mode)
    converted.thumbnail((COVER_MAX_SIDE, COVER_MAX_SIDE))
    out = BytesIO()
    converted.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


def render_first_page(path: Path) -> bytes | None:
    """The first page of a PDF as a WebP thumbnail, THUMBNAIL_WIDTH pixels wide (blocking;
    run it in the bounded child process, `pdf_process.render_cover_bounded`)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = pdfium.PdfDocument(str(path))
    try:
        if len(pdf) == 0:
            return None
        page = pdf[0]
        try:
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                return None
            # A little over the width, then down to it exactly (rendering rounds sizes).
            scale = min((THUMBNAIL_WIDTH + 2) / width, 2 * THUMBNAIL_WIDTH / height, 4.0)
            bitmap = page.render(scale=scale)
            try:
                image = bitmap.to_pil()
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        pdf.close()
    image.thumbnail((THUMBNAIL_WIDTH, 2 * THUMBNAIL_WIDTH))
    return _to_webp(image)


def cover_path(content_id: uuid.UUID, key: str) -> str:
    """The app's URL of the item's cover; `v` changes with each new cover."""
    return f"/api/v1/content/{content_id}/cover?v={PurePosixPath(key).stem}"


def new_key(content_id: uuid.UUID, prefix: str = "") -> str:
    return f"covers/{content_id}/{prefix}{secrets.token_hex(12)}.webp"


async def put_bytes(storage: Storage, key: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="learningos-cover-") as folder:
        source = Path(folder) / "cover.webp"
        await anyio.to_thread.run_sync(source.write_bytes, data)
        await storage.put(key, source)


async def store_upload(storage: Storage, content: Content, data: bytes) -> str | None:
    """Check and re-encode an uploaded cover, store it and point the item at it; returns
    the key of the cover it replaces (delete that after the commit)."""
    webp = await anyio.to_thread.run_sync(reencode, data)
    key = new_key(content.id)
    await put_bytes(storage, key, webp)
    previous = content.cover_key
    content.cover_key, content.cover_url = key, cover_path(content.id, key)
    return previous


async def read_cover(storage: Storage, content: Content) -> bytes:
    if content.cover_key is None:
        raise NotFound("This material has no cover.")
    try:
        async with storage.local_copy(content.cover_key) as path:
            data: bytes = await anyio.to_thread.run_sync(Path(path).read_bytes)
    except FileNotFoundError as exc:
        raise NotFound("This material has no cover.") from exc
    return data


async def discard(storage: Storage, key: str) -> None:
    """Delete a replaced cover (after the response; a failure only leaves a file)."""
    try:
        await storage.delete(key)
    except Exception as exc:  # noqa: BLE001 - an orphaned file must not fail anything
        log.warning("content.cover_delete_failed", key=key, error=str(exc))
