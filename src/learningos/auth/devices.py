"""Known devices: a browser (or API client) that once signed in to an account with the right
password keeps a signed cookie naming that account. Failed sign-ins from elsewhere never
lock such a device out (OWASP's device-cookie scheme): its own failures are counted apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

DEVICE_DAYS = 365


def _mac(secret: str, user_id: uuid.UUID, nonce: str) -> str:
    message = f"device:{user_id}:{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def new_device_token(secret: str, user_id: uuid.UUID) -> str:
    nonce = secrets.token_urlsafe(12)
    return f"{user_id}.{nonce}.{_mac(secret, user_id, nonce)}"


def known_device(secret: str, token: str | None, user_id: uuid.UUID | None) -> str | None:
    """The device's id (its nonce) when the token is genuine and names this account."""
    if not token or user_id is None:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    owner, nonce, mac = parts
    if owner != str(user_id) or not hmac.compare_digest(mac, _mac(secret, user_id, nonce)):
        return None
    return nonce
