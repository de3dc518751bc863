"""Webhook signatures as each provider makes them (the test checkout and the tests sign
with these; the endpoints verify with verify.py).

- Lemon Squeezy: `X-Signature` is the hex HMAC-SHA256 of the raw body with the webhook's
  signing secret.
- Paddle: `Paddle-Signature: ts=<unix seconds>;h1=<hex>`, where h1 is the HMAC-SHA256 of
  "<ts>:<raw body>" with the notification destination's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def lemon_squeezy_signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def paddle_h1(body: bytes, secret: str, ts: int) -> str:
    return hmac.new(secret.encode(), f"{ts}:".encode() + body, hashlib.sha256).hexdigest()


def paddle_signature_header(body: bytes, secret: str, ts: int | None = None) -> str:
    ts = int(time.time()) if ts is None else ts
    return f"ts={ts};h1={paddle_h1(body, secret, ts)}"
