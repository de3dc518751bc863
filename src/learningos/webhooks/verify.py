"""Signature checks over the raw body, and the unique key of each provider's events.

Lemon Squeezy: `X-Signature` is the hex HMAC-SHA256 of the raw body, compared in constant
time. Paddle: `Paddle-Signature: ts=…;h1=…` checked by the official SDK's `Verifier`
(`paddle-python-sdk`), which accepts the signature when any `h1` matches and refuses a
timestamp outside the tolerance. Anything that cannot be verified is refused the same way:
401 in the API's error shape, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from paddle_billing.Notifications import Secret, Verifier
from starlette.datastructures import Headers

from learningos.kit.errors import AppError
from learningos.webhooks.signing import lemon_squeezy_signature

LEMON_SQUEEZY_HEADER = "X-Signature"
PADDLE_HEADER = "Paddle-Signature"
MAX_KEY = 300


class InvalidSignature(AppError):
    status_code = 401
    code = "invalid_signature"
    message = "The webhook signature is missing, invalid or stale."


class MalformedEvent(AppError):
    status_code = 400
    code = "malformed_event"
    message = "The webhook body is not an event this endpoint understands."


@dataclass(frozen=True)
class Parsed:
    event_name: str
    unique_key: str


@dataclass(frozen=True)
class _SignedRequest:
    """What the Paddle SDK's Verifier reads: `.headers.get(...)` and the raw `.body`."""

    headers: Headers
    body: bytes


def verify_lemon_squeezy(body: bytes, headers: Headers, secret: str | None) -> None:
    given = headers.get(LEMON_SQUEEZY_HEADER, "")
    if not secret or not given:
        raise InvalidSignature()
    expected = lemon_squeezy_signature(body, secret)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode("ascii", "replace")):
        raise InvalidSignature()


@lru_cache(maxsize=8)
def _verifier(tolerance: int) -> Verifier:
    verifier = Verifier(tolerance)
    # The SDK logs every verification at INFO; keep its warnings only.
    logging.getLogger("paddle_billing").setLevel(logging.WARNING)
    return verifier


def verify_paddle(body: bytes, headers: Headers, secret: str | None, tolerance: int) -> None:
    header = headers.get(PADDLE_HEADER, "")
    if not secret or not header:
        raise InvalidSignature()
    try:
        ok = _verifier(tolerance).verify(_SignedRequest(headers, body), Secret(secret))
        ts = _paddle_ts(header)
    except (ValueError, UnicodeDecodeError, ConnectionRefusedError) as exc:
        raise InvalidSignature() from exc  # an unknown key in the header, a body not UTF-8
    # The SDK skips its time check when an environment variable TEST_MODE is set; a stale
    # signature is refused here whatever the environment says.
    if not ok or (tolerance > 0 and abs(time.time() - ts) > tolerance):
        raise InvalidSignature()


def _paddle_ts(header: str) -> int:
    for part in header.split(";"):
        key, _, value = part.partition("=")
        if key.strip() == "ts":
            return int(value)
    raise ValueError("no ts in the Paddle-Signature header")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent("The webhook body is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise MalformedEvent("The webhook body is not a JSON object.")
    return payload


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_lemon_squeezy(body: bytes) -> Parsed:
    """Lemon Squeezy events carry no id: the key is the event name, the resource's id and
    its `updated_at` (a later change of the same resource is a new event)."""
    payload = _json_object(body)
    meta, data = payload.get("meta"), payload.get("data")
    meta = meta if isinstance(meta, dict) else {}
    data = data if isinstance(data, dict) else {}
    attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
    name = _text(meta.get("event_name"))
    resource = _text(data.get("id"))
    updated = _text(attributes.get("updated_at")) if isinstance(attributes, dict) else None
    if not (name and resource and updated):
        raise MalformedEvent(
            "A Lemon Squeezy event needs meta.event_name, data.id and data.attributes.updated_at."
        )
    return Parsed(name[:100], _key(f"lemon_squeezy:{name}:{resource}:{updated}"))


def parse_paddle(body: bytes) -> Parsed:
    """Paddle events carry their own `event_id`, the key."""
    payload = _json_object(body)
    event_id, name = _text(payload.get("event_id")), _text(payload.get("event_type"))
    if not (event_id and name):
        raise MalformedEvent("A Paddle event needs event_id and event_type.")
    return Parsed(name[:100], _key(f"paddle:{event_id}"))


def _key(key: str) -> str:
    """The key as is, or (too long for the column) its SHA-256, which stays unique."""
    if len(key) <= MAX_KEY:
        return key
    return key.split(":", 1)[0] + ":sha256:" + hashlib.sha256(key.encode()).hexdigest()
