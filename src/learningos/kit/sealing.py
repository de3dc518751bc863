"""Short secrets a job must carry to the worker (an invitation's code, which only its hash
identifies in the database) are sealed with a key derived from the app's signing secret:
the jobs table never holds them readable, and a sealed value cannot be altered unnoticed."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class Unsealable(ValueError):
    """The sealed value was altered, or sealed under another secret or purpose."""


def _fernet(secret: str, purpose: str) -> Fernet:
    key = hashlib.sha256(f"learningos:{purpose}:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, purpose: str, value: str) -> str:
    return _fernet(secret, purpose).encrypt(value.encode()).decode()


def unseal(secret: str, purpose: str, sealed: str) -> str:
    try:
        return _fernet(secret, purpose).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise Unsealable("the sealed value cannot be opened") from exc
