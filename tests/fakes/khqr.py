"""KHQR payloads and QR images for the tests: a real EMVCo/KHQR string with a CRC computed
here (CRC-16/CCITT-FALSE, written out independently of the app's), drawn as a QR code by
segno."""

from __future__ import annotations

import io

import segno


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, table-free bitwise form: poly 0x1021, init 0xFFFF."""
    crc = 0xFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            top = (crc >> 15) & 1
            crc = (crc << 1) & 0xFFFF
            if top ^ ((byte >> bit) & 1):
                crc ^= 0x1021
    return crc


def khqr_payload(
    account: str = "jane_doe@aba",
    name: str = "Jane Doe",
    *,
    tag: str = "29",
    currency: str = "840",
    crc: str | None = None,
) -> str:
    """A static (tag 01 = 11) KHQR for a Bakong account; `crc` overrides the checksum."""
    body = (
        tlv("00", "01")
        + tlv("01", "11")
        + tlv(tag, tlv("00", account) + tlv("01", "ABAAKHPP"))
        + tlv("52", "5999")
        + tlv("53", currency)
        + tlv("58", "KH")
        + tlv("59", name)
        + tlv("60", "Phnom Penh")
        + "6304"
    )
    return body + (crc if crc is not None else f"{crc16(body.encode()):04X}")


def qr_png(text: str, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_jpeg(text: str, scale: int = 6) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(qr_png(text, scale))).convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()
