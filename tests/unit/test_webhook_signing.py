"""The signing helpers make what the providers send, and the verifiers accept exactly that:
Lemon Squeezy's hex HMAC of the raw body, Paddle's `ts=…;h1=…` through the official SDK."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from starlette.datastructures import Headers

from learningos.models.webhooks import PaymentProvider
from learningos.webhooks.registry import NotReady, find_handler, handles, unregister
from learningos.webhooks.signing import lemon_squeezy_signature, paddle_signature_header
from learningos.webhooks.verify import (
    InvalidSignature,
    MalformedEvent,
    parse_lemon_squeezy,
    parse_paddle,
    verify_lemon_squeezy,
    verify_paddle,
)

SECRET = "whsec-test-secret"
BODY = b'{"meta": {"event_name": "order_created"}, "data": {"id": "1", "attributes": {}}}'


def test_lemon_squeezy_signature_is_the_hex_hmac_of_the_raw_body() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert lemon_squeezy_signature(BODY, SECRET) == expected
    verify_lemon_squeezy(BODY, Headers({"X-Signature": expected}), SECRET)
    for headers, secret in [
        ({"X-Signature": expected}, None),
        ({}, SECRET),
        ({"X-Signature": expected[:-1] + "0"}, SECRET),
        ({"X-Signature": lemon_squeezy_signature(BODY + b" ", SECRET)}, SECRET),
        ({"X-Signature": "ünïcode"}, SECRET),
    ]:
        with pytest.raises(InvalidSignature):
            verify_lemon_squeezy(BODY, Headers(headers), secret)


def test_paddle_signature_verifies_through_the_sdk() -> None:
    ts = int(time.time())
    header = paddle_signature_header(BODY, SECRET, ts)
    h1 = hmac.new(SECRET.encode(), f"{ts}:".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"ts={ts};h1={h1}"
    verify_paddle(BODY, Headers({"Paddle-Signature": header}), SECRET, 5)
    # Several h1 (a secret being rotated): any one matching is enough.
    rotated = f"ts={ts};h1={'0' * 64};h1={h1}"
    verify_paddle(BODY, Headers({"Paddle-Signature": rotated}), SECRET, 5)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "ts=abc;h1=00",
        "ts=1;h1=00;v2=zz",  # an unknown key: the SDK raises
        "garbage",
    ],
)
def test_paddle_refuses_what_it_cannot_verify(header: str) -> None:
    with pytest.raises(InvalidSignature):
        verify_paddle(BODY, Headers({"Paddle-Signature": header}), SECRET, 5)


def test_paddle_refuses_a_stale_or_future_or_forged_signature() -> None:
    now = int(time.time())
    for ts in (now - 60, now + 60):
        header = paddle_signature_header(BODY, SECRET, ts)
        with pytest.raises(InvalidSignature):
            verify_paddle(BODY, Headers({"Paddle-Signature": header}), SECRET, 5)
    # Tolerance 0: no time check (the SDK's own meaning).
    old = paddle_signature_header(BODY, SECRET, now - 3600)
    verify_paddle(BODY, Headers({"Paddle-Signature": old}), SECRET, 0)
    forged = paddle_signature_header(BODY, "another-secret", now)
    with pytest.raises(InvalidSignature):
        verify_paddle(BODY, Headers({"Paddle-Signature": forged}), SECRET, 5)
    with pytest.raises(InvalidSignature):
        verify_paddle(BODY, Headers({"Paddle-Signature": old}), None, 0)


def test_unique_keys_of_each_provider() -> None:
    body = {
        "meta": {"event_name": "order_refunded"},
        "data": {"id": "99", "attributes": {"updated_at": "2026-12-04T10:00:00.000000Z"}},
    }
    parsed = parse_lemon_squeezy(json.dumps(body).encode())
    assert parsed.event_name == "order_refunded"
    assert parsed.unique_key == "lemon_squeezy:order_refunded:99:2026-12-04T10:00:00.000000Z"
    paddle = parse_paddle(b'{"event_id": "evt_01h", "event_type": "transaction.completed"}')
    assert (paddle.event_name, paddle.unique_key) == ("transaction.completed", "paddle:evt_01h")
    long_id = "e" * 400
    assert (
        len(parse_paddle(json.dumps({"event_id": long_id, "event_type": "x"}).encode()).unique_key)
        <= 300
    )
    for bad in (b"not json", b"[1, 2]", b'{"meta": {}}', b"\xff\xfe"):
        with pytest.raises(MalformedEvent):
            parse_lemon_squeezy(bad)
        with pytest.raises(MalformedEvent):
            parse_paddle(bad)


def test_handlers_register_by_provider_and_event_name() -> None:
    @handles(PaymentProvider.PADDLE, "test.event")
    async def on_event(session, event, payload) -> None:  # type: ignore[no-untyped-def]
        raise NotReady("later")

    try:
        assert find_handler("paddle", "test.event") is on_event
        assert find_handler("lemon_squeezy", "test.event") is None
    finally:
        unregister(PaymentProvider.PADDLE, "test.event")
    assert find_handler("paddle", "test.event") is None
