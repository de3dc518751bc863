"""A creator's PayPal destination: an email address, or a PayPal.me link
(`https://www.paypal.me/<name>`, letters and digits, at most 20 characters). Display only."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from learningos.kit.errors import ValidationFailed

FIELD = "paypal"
PAYPAL_ME_HOSTS = ("paypal.me", "www.paypal.me")
NAME = re.compile(r"[A-Za-z0-9]{1,20}")


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": FIELD, "message": message}])


def normalise_paypal(value: str) -> str:
    """The email address (normalised) or `https://www.paypal.me/<name>`; 422 otherwise."""
    text = value.strip()
    if not text:
        raise _invalid("Enter your PayPal email address or your PayPal.me link.")
    if len(text) > 320:
        raise _invalid("That is too long for a PayPal email address or PayPal.me link.")
    if "@" in text and "/" not in text:
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise _invalid(f"That is not a valid email address: {exc}") from exc
    candidate = text if "://" in text else f"https://{text}"
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or host not in PAYPAL_ME_HOSTS:
        raise _invalid(
            "A PayPal link must be a PayPal.me link, https://www.paypal.me/yourname "
            "(no other site)."
        )
    if parts.username or parts.password or parts.port or parts.query or parts.fragment:
        raise _invalid("A PayPal.me link is just https://www.paypal.me/yourname.")
    name = parts.path.strip("/")
    if not NAME.fullmatch(name):
        raise _invalid(
            "A PayPal.me name is 1 to 20 letters and digits: https://www.paypal.me/yourname."
        )
    return f"https://www.paypal.me/{name}"


def paypal_link(value: str) -> str | None:
    """The PayPal.me link a donor follows; None for an email address (the dialog shows the
    address to send to from PayPal)."""
    return value if value.startswith("https://") else None
