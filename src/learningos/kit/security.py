"""Password hashing (argon2) and signed access tokens (PyJWT)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from learningos.kit.errors import InvalidToken

JWT_ALGORITHM = "HS256"
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A real hash of a random password, verified against when the user does not exist so an
    unknown email costs the same time as a wrong password. Made on first use (an argon2 hash
    takes ~0.1 s), never at import time."""
    return _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def _verify() -> bool:
        try:
            return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(_verify)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(48)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    family_id: uuid.UUID
    role: str
    expires_at: datetime


def create_access_token(
    secret: str, user_id: uuid.UUID, family_id: uuid.UUID, role: str, minutes: int
) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    exp = now + timedelta(minutes=minutes)
    payload = {
        "sub": str(user_id),
        "sid": str(family_id),
        "role": role,
        "typ": "access",
        "iat": now,
        "exp": exp,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM), exp


def decode_access_token(secret: str, token: str) -> AccessClaims:
    """Verify signature, algorithm, expiry and shape; any failure is InvalidToken."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "iat", "sub", "sid", "typ"]},
        )
        if payload.get("typ") != "access":
            raise InvalidToken()
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            family_id=uuid.UUID(payload["sid"]),
            role=str(payload.get("role", "user")),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("Your session has expired. Sign in again.") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError, KeyError) as exc:
        raise InvalidToken() from exc
