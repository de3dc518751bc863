"""Who the client is (forwarded headers only from trusted proxies) and how failed sign-ins
are counted: per (email, IP) and per IP, never locking out a known device."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from learningos.app import create_app
from learningos.kit.audit import AuditEvent
from tests.browser.live import LiveServer
from tests.conftest import PASSWORD, register

WRONG = "not the password"


@asynccontextmanager
async def client_at(app, ip: str) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def sign_in(client: httpx.AsyncClient, password: str = PASSWORD) -> int:
    body = {"email": "ann@example.com", "password": password}
    return (await client.post("/api/v1/auth/login", json=body)).status_code


async def test_forwarded_for_from_an_untrusted_peer_changes_nothing(client, settings, services):
    limit = int(settings.login_limit_per_ip.split("/")[0])
    codes = []
    for i in range(limit + 1):
        response = await client.post(
            "/api/v1/auth/login",
            json={"email": f"u{i}@example.com", "password": WRONG},
            headers={"X-Forwarded-For": f"203.0.113.{i}", "X-Forwarded-Proto": "https"},
        )
        codes.append(response.status_code)
    assert codes[-1] == 429 and codes[:limit] == [401] * limit
    async with services.db.transaction() as session:
        ips = set((await session.scalars(select(AuditEvent.ip))).all())
    assert ips == {"127.0.0.1"}
    home = await client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert 'href="http://testserver/login"' in home.text


async def test_a_trusted_proxy_sets_the_client_ip_and_https(settings, services):
    trusted = settings.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]})
    app = create_app(trusted, services)
    async with LifespanManager(app), client_at(app, "127.0.0.1") as proxy:
        headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
        home = await proxy.get("/", headers=headers)
        assert 'href="https://testserver/login"' in home.text
        body = {"email": "x@example.com", "password": WRONG}
        failed = await proxy.post("/api/v1/auth/login", json=body, headers=headers)
        assert failed.status_code == 401
    async with services.db.transaction() as session:
        assert (await session.scalars(select(AuditEvent.ip))).all() == ["198.51.100.7"]


async def test_failures_elsewhere_do_not_lock_the_owner_out(app, settings):
    limit = int(settings.login_limit_per_email_ip.split("/")[0])
    async with client_at(app, "198.51.100.1") as attacker, client_at(app, "192.0.2.9") as owner:
        assert (await register(owner)).status_code == 201
        codes = [await sign_in(attacker, WRONG) for _ in range(limit + 1)]
        assert codes[-1] == 429, codes
        assert await sign_in(attacker) == 429  # this (email, IP) is locked, right password or not
        assert await sign_in(owner) == 200  # another IP: not locked


async def test_a_known_device_signs_in_behind_a_locked_ip(app, settings):
    per_ip = int(settings.login_limit_per_ip.split("/")[0])
    async with client_at(app, "192.0.2.9") as owner, client_at(app, "192.0.2.9") as stranger:
        assert (await register(owner)).status_code == 201
        assert await sign_in(owner) == 200
        assert "lo_device" in owner.cookies
        # Someone behind the same address fails until both the account and the IP are locked.
        codes = [await sign_in(stranger, WRONG) for _ in range(per_ip + 1)]
        assert codes[-1] == 429
        assert await sign_in(stranger) == 429
        # The owner's browser, known to the account, still gets in with the right password.
        assert await sign_in(owner) == 200
        # A device cookie of another account, or a forged one, is not a known device.
        token = owner.cookies["lo_device"]
        stranger.cookies.set("lo_device", token[:-1] + ("0" if token[-1] != "0" else "1"))
        assert await sign_in(stranger) == 429


class StrictServer(LiveServer):
    def env(self) -> dict[str, str]:
        return {**super().env(), "LEARNINGOS_LOGIN_LIMIT_PER_IP": "5/minute"}


def test_the_real_server_ignores_forwarded_for_from_localhost(tmp_path):
    """`learningos serve` over TCP from 127.0.0.1 (which uvicorn's own proxy-header default
    trusts): a new X-Forwarded-For on every attempt must not get past the per-IP limit."""
    with StrictServer(tmp_path / "data") as server:
        codes = []
        for i in range(6):
            response = httpx.post(
                server.url + "/api/v1/auth/login",
                json={"email": f"u{i}@example.com", "password": WRONG},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
                timeout=30,
            )
            codes.append(response.status_code)
    assert codes == [401] * 5 + [429]
