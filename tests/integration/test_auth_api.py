"""Accounts API: happy paths and every bad input named by the foundation issue."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import select

from learningos.kit.audit import AuditEvent
from learningos.models.auth import RefreshToken
from tests.conftest import PASSWORD, bearer, login, register, signed_in


def assert_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_register_normalises_email_and_hides_hash(client):
    response = await register(client, email="  Ann.Lee@Example.COM ")
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ann.lee@example.com"
    assert body["role"] == "user"
    assert "password_hash" not in body and "password" not in body


async def test_duplicate_email_is_409_even_with_other_case(client):
    assert (await register(client)).status_code == 201
    body = assert_error(await register(client, email="ANN@example.com"), 409, "conflict")
    assert "already exists" in body["message"]
    assert body["details"][0]["field"] == "email"


async def test_concurrent_registrations_of_one_email_create_one_account(client, services):
    results = await asyncio.gather(*(register(client) for _ in range(4)))
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 1 and all(c == 409 for c in codes if c != 201), codes


async def test_malformed_email_is_422(client):
    body = assert_error(await register(client, email="not-an-email"), 422, "validation_error")
    assert body["details"][0]["field"] == "email"


async def test_weak_password_gets_a_clear_message(client):
    body = assert_error(await register(client, password="short"), 422, "validation_error")
    assert "at least 10 characters" in body["message"]
    body = assert_error(await register(client, password="1234567890"), 422, "validation_error")
    assert "too common" in body["message"]
    body = assert_error(
        await register(client, email="annalee@example.com", password="annalee-2026!"),
        422,
        "validation_error",
    )
    assert "email" in body["message"]


async def test_over_long_password_is_422(client):
    body = assert_error(await register(client, password="x" * 129 + "Ab1"), 422, "validation_error")
    assert "at most 128" in body["message"]
    huge = await register(client, password="y" * 5000)
    assert_error(huge, 422, "validation_error")


async def test_unknown_fields_are_rejected(client):
    response = await client.post(
        "/api/v1/auth/register",
        json={"name": "A", "email": "a@example.com", "password": PASSWORD, "role": "admin"},
    )
    body = assert_error(response, 422, "validation_error")
    assert body["details"][0]["field"] == "role"


async def test_malformed_json_is_422(client):
    response = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "validation_error")


async def test_oversized_json_body_is_413(client, settings):
    big = {"email": "a@example.com", "password": "p" * (settings.max_body_bytes + 10)}
    response = await client.post("/api/v1/auth/login", json=big)
    body = assert_error(response, 413, "payload_too_large")
    assert body["details"]["limit_bytes"] == settings.max_body_bytes


async def test_login_returns_short_access_and_long_refresh(client, settings):
    await register(client)
    tokens = await login(client)
    assert tokens["token_type"] == "bearer"
    assert 0 < tokens["expires_in"] <= settings.access_token_minutes * 60
    assert tokens["refresh_expires_in"] > 6 * 24 * 3600
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status_code == 200 and me.json()["email"] == "ann@example.com"


async def test_wrong_password_and_unknown_user_answer_the_same(client, services):
    await register(client)
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": "nope-nope-nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "bob@example.com", "password": "nope-nope-nope"}
    )
    a = assert_error(wrong, 401, "invalid_credentials")
    b = assert_error(unknown, 401, "invalid_credentials")
    assert a["message"] == b["message"]
    async with services.db.transaction() as session:
        events = (await session.scalars(select(AuditEvent.event))).all()
    assert events.count("auth.login_failed") == 2


async def test_me_requires_a_token(client):
    assert_error(await client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(
        await client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}),
        401,
        "invalid_token",
    )


def _forge(payload: dict, key: str, alg: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=alg)


async def test_expired_tampered_and_wrong_algorithm_tokens_are_401(client, services):
    tokens = await signed_in(client)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    secret = services.signing_secret
    now = datetime.now(UTC)
    expired = _forge(
        {**claims, "iat": now - timedelta(hours=1), "exp": now - timedelta(minutes=1)}, secret
    )
    body = assert_error(
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}),
        401,
        "invalid_token",
    )
    assert "expired" in body["message"]
    # Tampered: change the role in the payload but keep the old signature.
    head, payload, sig = tokens["access_token"].split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["role"] = "admin"
    forged_payload = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    tampered = f"{head}.{forged_payload}.{sig}"
    assert_error(
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}),
        401,
        "invalid_token",
    )
    # Wrong algorithms: "none", and HS512 with the right secret.
    none_token = jwt.encode(claims, None, algorithm="none")
    hs512 = _forge(claims, secret, "HS512")
    other_key = _forge(claims, "another-secret-that-is-long-enough-123456")
    for bad in (none_token, hs512, other_key):
        assert_error(
            await client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"}),
            401,
            "invalid_token",
        )


async def test_refresh_rotates_and_reuse_revokes_the_family(client, services):
    tokens = await signed_in(client)
    first = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(rotated))).status_code == 200
    # Replaying the old refresh token is theft: the whole family dies.
    replay = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_error(replay, 401, "invalid_token")
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert_error(after, 401, "invalid_token")
    assert_error(await client.get("/api/v1/me", headers=bearer(rotated)), 401, "invalid_token")
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(RefreshToken))).all()
        events = (await session.scalars(select(AuditEvent.event))).all()
    assert rows and all(r.revoked_at is not None for r in rows)
    assert "auth.refresh_reuse" in events


async def test_concurrent_refresh_with_one_token_succeeds_once(client):
    tokens = await signed_in(client)
    results = await asyncio.gather(
        *(
            client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            for _ in range(3)
        )
    )
    assert sum(r.status_code == 200 for r in results) <= 1
    assert all(r.status_code in (200, 401) for r in results)


async def test_unknown_refresh_token_is_401(client):
    assert_error(
        await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 40}),
        401,
        "invalid_token",
    )


async def test_logout_revokes_access_and_refresh(client):
    tokens = await signed_in(client)
    out = await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    assert out.status_code == 204
    assert_error(await client.get("/api/v1/me", headers=bearer(tokens)), 401, "invalid_token")
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert_error(again, 401, "invalid_token")


async def test_password_change_ends_other_sign_ins(client):
    phone = await signed_in(client)
    laptop = await login(client)
    new_password = "a much better passphrase"
    wrong = await client.post(
        "/api/v1/me/password",
        headers=bearer(laptop),
        json={"current_password": "not it at all", "new_password": new_password},
    )
    assert_error(wrong, 400, "wrong_password")  # signed in: not a 401
    weak = await client.post(
        "/api/v1/me/password",
        headers=bearer(laptop),
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert_error(weak, 422, "validation_error")
    ok = await client.post(
        "/api/v1/me/password",
        headers=bearer(laptop),
        json={"current_password": PASSWORD, "new_password": new_password},
    )
    assert ok.status_code == 200
    fresh = ok.json()
    assert (await client.get("/api/v1/me", headers=bearer(fresh))).status_code == 200
    assert_error(await client.get("/api/v1/me", headers=bearer(phone)), 401, "invalid_token")
    assert_error(await client.get("/api/v1/me", headers=bearer(laptop)), 401, "invalid_token")
    old = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert_error(old, 401, "invalid_credentials")
    await login(client, password=new_password)


async def test_login_is_rate_limited_per_email_with_retry_after(client, settings):
    await register(client)
    limit = int(settings.login_limit_per_email_ip.split("/")[0])
    for _ in range(limit):
        await client.post(
            "/api/v1/auth/login", json={"email": "ann@example.com", "password": "wrong password!"}
        )
    blocked = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert_error(blocked, 429, "rate_limited")
    assert int(blocked.headers["retry-after"]) >= 1
    # Another email from the same address is not blocked by the per-email limit.
    other = await client.post(
        "/api/v1/auth/login", json={"email": "zed@example.com", "password": "wrong password!"}
    )
    assert other.status_code == 401


async def test_login_is_rate_limited_per_ip(client, settings):
    limit = int(settings.login_limit_per_ip.split("/")[0])
    codes = []
    for i in range(limit + 1):
        r = await client.post(
            "/api/v1/auth/login", json={"email": f"u{i}@example.com", "password": "wrong password!"}
        )
        codes.append(r.status_code)
    assert codes[:limit] == [401] * limit
    assert codes[-1] == 429


async def test_auth_events_reach_the_audit_log(client, services):
    tokens = await signed_in(client)
    await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.created_at))).all()
    events = [r.event for r in rows]
    assert events[:3] == ["auth.register", "auth.login", "auth.logout"]
    assert all(r.ip == "127.0.0.1" and r.request_id for r in rows)
    assert all(isinstance(r.user_id, uuid.UUID) for r in rows)


async def test_cached_user_is_dropped_when_the_user_changes(client, services):
    from learningos.models.user import User

    tokens = await signed_in(client)
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).json()["name"] == "Ann Lee"
    async with services.db.transaction() as session:
        user = (await session.scalars(select(User))).one()
        user.name = "Ann Lee-Sok"
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).json()["name"] == "Ann Lee-Sok"
    async with services.db.transaction() as session:
        user = (await session.scalars(select(User))).one()
        user.is_active = False
    assert_error(await client.get("/api/v1/me", headers=bearer(tokens)), 401, "invalid_token")


async def test_a_rolled_back_change_keeps_the_cache(client, services):
    from learningos.models.user import User

    tokens = await signed_in(client)
    await client.get("/api/v1/me", headers=bearer(tokens))
    try:
        async with services.db.transaction() as session:
            user = (await session.scalars(select(User))).one()
            user.name = "Never Saved"
            await session.flush()
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).json()["name"] == "Ann Lee"


async def test_the_cached_user_holds_no_password_hash(client, services):
    tokens = await signed_in(client)
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    cached = await services.cache.get("auth:user:" + me["id"])
    assert cached is not None
    assert set(json.loads(cached)) == {
        "id", "email", "name", "role", "tier", "is_active", "avatar_url", "preferences",
        "created_at", "updated_at",
    }  # fmt: skip
    assert "argon2" not in cached
    # The services that need the hash still read it: change the password on the cached user.
    changed = await client.post(
        "/api/v1/me/password",
        headers=bearer(tokens),
        json={"current_password": PASSWORD, "new_password": "a much better passphrase"},
    )
    assert changed.status_code == 200, changed.text
