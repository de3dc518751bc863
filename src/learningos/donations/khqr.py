"""KHQR payloads: the National Bank of Cambodia's QR standard, an EMVCo merchant-presented
QR string of tag-length-value fields (two-digit tag, two-digit length, value).

What a creator's KHQR must hold to be accepted here:
- tag 00 (payload format indicator) = "01", first;
- a Bakong account: tag 29 (individual) or 30 (merchant), whose sub-tag 00 is the Bakong
  account id ("name@bank");
- tag 63 (CRC) last, four hex digits: CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF,
  no reflection, no final xor) of everything before its value, "6304" included.
Tag 53 (currency, 116 = KHR, 840 = USD), 54 (amount) and 59 (merchant name) are read when
present.
"""

from __future__ import annotations

from dataclasses import dataclass

BAKONG_ACCOUNT_TAGS = ("29", "30")
CURRENCIES = {"116": "KHR", "840": "USD"}
MAX_PAYLOAD = 512


class NotKhqr(ValueError):
    """The text is not a valid KHQR payload; the message says why, for the creator."""


@dataclass(frozen=True)
class Khqr:
    account: str  # the Bakong account id, e.g. "jane_doe@aba"
    merchant_name: str | None
    currency: str | None  # "KHR" | "USD" | None
    amount: str | None  # a fixed amount when the QR has one (tag 54)
    fields: dict[str, str]


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0 ("123456789" →
    0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def with_crc(body: str) -> str:
    """`body` (everything before the CRC tag) followed by its tag 63: for building payloads."""
    head = body + "6304"
    return head + f"{crc16_ccitt_false(head.encode('utf-8')):04X}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """The (tag, value) pairs of an EMVCo TLV string, in order; NotKhqr when malformed."""
    fields: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        if i + 4 > len(text):
            raise NotKhqr("The QR code's data ends in the middle of a field.")
        tag, length = text[i : i + 2], text[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise NotKhqr("The QR code does not hold EMVCo payment data (KHQR).")
        end = i + 4 + int(length)
        if end > len(text):
            raise NotKhqr("The QR code's data ends in the middle of a field.")
        fields.append((tag, text[i + 4 : end]))
        i = end
    return fields


def parse_khqr(payload: str) -> Khqr:
    """Check a decoded QR payload is a KHQR with a valid CRC; NotKhqr says what is wrong."""
    if not payload or len(payload) > MAX_PAYLOAD or not payload.isprintable():
        raise NotKhqr("The QR code does not hold KHQR payment data.")
    if not payload.startswith("000201"):
        raise NotKhqr(
            "This QR code is not a KHQR payment code (it does not start with the EMVCo "
            "payload format 01). Upload the KHQR image from your bank app."
        )
    fields = parse_tlv(payload)
    tags = [tag for tag, _ in fields]
    if tags.count("63") != 1 or tags[-1] != "63" or len(fields[-1][1]) != 4:
        raise NotKhqr("The KHQR code has no checksum (tag 63) at its end.")
    expected = crc16_ccitt_false(payload[:-4].encode("utf-8"))
    try:
        given = int(fields[-1][1], 16)
    except ValueError:
        given = -1
    if given != expected:
        raise NotKhqr(
            "The KHQR code's checksum (CRC) does not match its data: the code is damaged or "
            "was altered. Upload the original image from your bank app."
        )
    values = dict(fields)
    account = None
    for tag in BAKONG_ACCOUNT_TAGS:
        if tag in values:
            sub = dict(parse_tlv(values[tag]))
            candidate = sub.get("00", "")
            if "@" in candidate and 3 <= len(candidate) <= 32:
                account = candidate
                break
    if account is None:
        raise NotKhqr(
            "This payment QR code has no Bakong account (KHQR tag 29 or 30), so it is not a "
            "KHQR code. Upload the KHQR image from your ABA or other Bakong bank app."
        )
    return Khqr(
        account=account,
        merchant_name=values.get("59"),
        currency=CURRENCIES.get(values.get("53", "")),
        amount=values.get("54"),
        fields=values,
    )
