from __future__ import annotations

import uuid

import jwt
import pytest

from learningos.kit.errors import InvalidToken
from learningos.kit.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    hash_token,
    verify_password,
)

SECRET = "k" * 48


async def test_password_hashes_verify_and_differ():
    first = await hash_password("correct horse battery")
    second = await hash_password("correct horse battery")
    assert first != second and first.startswith("$argon2")
    assert await verify_password(first, "correct horse battery")
    assert not await verify_password(first, "wrong horse battery")
    assert not await verify_password(None, "anything at all")
    assert not await verify_password("not-a-hash", "anything at all")


def test_access_token_round_trip():
    user, family = uuid.uuid4(), uuid.uuid4()
    token, _ = create_access_token(SECRET, user, family, "creator", 15)
    claims = decode_access_token(SECRET, token)
    assert (claims.user_id, claims.family_id, claims.role) == (user, family, "creator")


def test_tokens_of_another_type_or_shape_are_refused():
    base = {"sub": str(uuid.uuid4()), "sid": str(uuid.uuid4()), "iat": 1, "exp": 4102444800}
    for payload in (
        {**base, "typ": "refresh"},
        {k: v for k, v in base.items() if k != "sid"},
        {**base, "typ": "access", "sub": "not-a-uuid"},
    ):
        with pytest.raises(InvalidToken):
            decode_access_token(SECRET, jwt.encode(payload, SECRET, algorithm="HS256"))


def test_refresh_tokens_are_stored_hashed():
    assert hash_token("abc") != "abc" and len(hash_token("abc")) == 64
