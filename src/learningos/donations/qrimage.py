"""A creator's KHQR image: recognised from its bytes as PNG or JPEG (the profile-picture header
check), within size and dimension limits, then decoded as a QR code (zxing-cpp over Pillow's
pixels) whose text must be a KHQR payload with a valid CRC (khqr.py).

The header is checked before anything is decoded, so a crafted file claiming huge dimensions
never reaches the decoder."""

from __future__ import annotations

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image

from learningos.account.images import ImageInfo, sniff_image
from learningos.donations.khqr import Khqr, NotKhqr, parse_khqr
from learningos.kit.errors import AppError, PayloadTooLarge, UnsupportedMedia, ValidationFailed

FIELD = "khqr_image"
MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE = 64
MAX_SIDE = 4096
QR_FORMATS = zxingcpp.barcode_formats_from_str("QRCode")
NOT_PNG_OR_JPEG = (
    "The KHQR image must be a PNG or JPEG file. Save it from your bank app and try again."
)


@dataclass(frozen=True)
class CheckedKhqr:
    image: ImageInfo
    khqr: Khqr


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": FIELD, "message": message}])


def check_size(data: bytes) -> None:
    if not data:
        raise _invalid("The file is empty. Choose your KHQR image.")
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // (1 << 20)
        message = f"The KHQR image is larger than {limit} MB. Choose a smaller one."
        raise PayloadTooLarge(
            message, details=[{"field": FIELD, "message": message, "limit_bytes": MAX_BYTES}]
        )


def check_header(data: bytes) -> ImageInfo:
    """PNG or JPEG from the bytes, each side MIN_SIDE..MAX_SIDE pixels."""
    check_size(data)
    try:
        info = sniff_image(data)
    except AppError as exc:
        raise UnsupportedMedia(
            NOT_PNG_OR_JPEG, details=[{"field": FIELD, "message": NOT_PNG_OR_JPEG}]
        ) from exc
    if info.kind not in ("png", "jpeg"):
        raise UnsupportedMedia(
            NOT_PNG_OR_JPEG, details=[{"field": FIELD, "message": NOT_PNG_OR_JPEG}]
        )
    if not all(MIN_SIDE <= side <= MAX_SIDE for side in (info.width, info.height)):
        raise _invalid(
            f"The KHQR image is {info.width}×{info.height} pixels; each side must be between "
            f"{MIN_SIDE} and {MAX_SIDE} pixels."
        )
    return info


def decode_qr(data: bytes) -> list[str]:
    """The texts of the QR codes found in the image (blocking: run it in a thread)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            pixels = image.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _invalid("The KHQR image could not be read. Save it again and retry.") from exc
    found = zxingcpp.read_barcodes(pixels, formats=QR_FORMATS)
    return [result.text for result in found if result.valid and result.text]


def check_khqr_image(data: bytes) -> CheckedKhqr:
    """The whole check (blocking: run it in a thread); 413, 415 or 422 with a clear message."""
    info = check_header(data)
    texts = decode_qr(data)
    if not texts:
        raise _invalid(
            "No QR code was found in this image. Upload the KHQR image from your bank app, "
            "with the whole code visible."
        )
    problem: NotKhqr | None = None
    for text in texts:
        try:
            return CheckedKhqr(info, parse_khqr(text))
        except NotKhqr as exc:
            problem = problem or exc
    raise _invalid(str(problem))
