from __future__ import annotations

from learningos.app import create_app
from learningos.services import Services
from tests.conftest import make_settings


async def test_liveness(client):
    response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert len(response.headers["x-request-id"]) >= 8


async def test_readiness_reaches_every_store(client):
    response = await client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "cache", "vector_store", "queue"}
    assert all(check["ok"] for check in body["checks"].values())


async def _ready_with(tmp_path, **overrides):  # type: ignore[no-untyped-def]
    settings = make_settings(
        tmp_path, overrides.pop("database_url"), overrides.pop("redis_url", None)
    )
    services = Services.build(settings)
    app = create_app(settings, services)
    import httpx

    app.state.services = services
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await c.get("/health/ready")
    finally:
        await services.vectors.close()
        await services.cache.close()
        await services.db.dispose()


async def test_readiness_names_the_failed_database(tmp_path):
    response = await _ready_with(
        tmp_path, database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none"
    )
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["error"]


async def test_readiness_names_the_failed_cache_and_queue(tmp_path):
    response = await _ready_with(
        tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        redis_url="redis://127.0.0.1:1/0",
    )
    body = response.json()
    assert response.status_code == 503
    assert sorted(body["failed"]) == ["cache", "queue"]


async def test_openapi_is_published_and_docs_are_local(client):
    spec = await client.get("/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/auth/login" in spec.json()["paths"] and "/api/v1/me" in spec.json()["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text and "https://" not in docs.text
    for asset in (
        "/static/dist/swagger/swagger-ui-bundle.js",
        "/static/dist/swagger/swagger-ui.css",
    ):
        assert asset in docs.text
        assert (await client.get(asset)).status_code == 200


async def test_cors_allows_configured_origins_only(tmp_path, settings):
    import httpx

    from learningos.app import create_app

    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.example.com"]}))
    app.state.services = None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        headers = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
        ok = await c.options("/api/v1/auth/login", headers=headers)
        assert ok.headers["access-control-allow-origin"] == "https://app.example.com"
        bad = await c.options(
            "/api/v1/auth/login", headers={**headers, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in bad.headers


async def test_security_headers_on_every_response(client):
    for path in ("/health", "/api/v1/me", "/no-such-page"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_unknown_api_route_uses_the_error_shape(client):
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["request_id"] == response.headers["x-request-id"]


async def test_incoming_request_id_is_kept(client):
    response = await client.get("/health", headers={"X-Request-ID": "trace-abc-123456"})
    assert response.headers["x-request-id"] == "trace-abc-123456"
    hostile = await client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert hostile.headers["x-request-id"] != "bad id\nwith newline"
