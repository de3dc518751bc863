"""A token needs more than the signing secret: its sign-in must still be live, also after a
restart of the embedded mode (whose revocation cache lives in memory)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
from asgi_lifespan import LifespanManager

from learningos.app import create_app
from learningos.services import Services
from tests.conftest import bearer, signed_in


def _forge(secret: str, **claims: object) -> str:
    now = datetime.now(UTC)
    payload = {"typ": "access", "iat": now, "exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


async def test_the_generated_secret_lives_in_the_data_folder(services):
    path = services.settings.data_dir / "jwt-secret"
    assert services.settings.jwt_secret is None
    assert path.read_text().strip() == services.signing_secret
    assert path.stat().st_mode & 0o777 == 0o600


async def test_a_token_signed_with_the_secret_but_no_live_sign_in_is_refused(client, services):
    tokens = await signed_in(client)
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    forged = _forge(services.signing_secret, sub=me["id"], sid=str(uuid.uuid4()), role="admin")
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401, response.text
    # Someone else's live sign-in does not help either.
    real = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    other = _forge(services.signing_secret, sub=str(uuid.uuid4()), sid=real["sid"], role="admin")
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 401, response.text


async def test_a_logged_out_token_stays_dead_after_a_restart(client, settings):
    tokens = await signed_in(client)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    # A second process over the same data folder and database: a fresh (empty) cache.
    restarted = Services.build(settings)
    try:
        app = create_app(settings, restarted)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                response = await c.get("/api/v1/me", headers=bearer(tokens))
                assert response.status_code == 401, response.text
                fresh = await signed_in(c, email="bo@example.com")
                assert (await c.get("/api/v1/me", headers=bearer(fresh))).status_code == 200
    finally:
        await restarted.cache.close()
        await restarted.db.dispose()
