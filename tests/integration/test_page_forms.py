"""Every unsafe page route refuses a request without this browser's CSRF token, and a
signed-out visitor is sent to sign in and back.

The routes come from the app's router: every route outside /api that takes POST, PUT, PATCH
or DELETE. A page route added later is tested without being listed here."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tests.conftest import register
from tests.integration.test_pages import HTMX, sign_in_page

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
JSON = {"Accept": "application/json"}  # the error's code rather than the error page


def unsafe_page_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, URL) for every unsafe route outside /api, path parameters filled in."""
    found = []
    for route in iter_route_contexts(app.routes):
        path = route.path
        if not path or path.startswith("/api/"):
            continue
        for method in sorted(set(route.methods or ()) & UNSAFE):
            params = {name: str(uuid.uuid4()) for name in route.param_convertors}
            found.append((method, route.path_format.format(**params)))
    return found


def refused_for_csrf(response: httpx.Response) -> bool:
    if response.status_code != 403 or not response.headers["content-type"].startswith(
        "application/json"
    ):
        return False
    return bool(response.json()["error"]["code"] == "csrf_failed")


async def token_of_another_browser(app: FastAPI) -> str:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await other.get("/login")
        return other.cookies["lo_csrf"]


async def attempts(
    client: httpx.AsyncClient, routes: list[tuple[str, str]], foreign: str
) -> list[str]:
    """What was let through: every route, without a token and with another browser's."""
    tries: dict[str, dict[str, Any]] = {
        "no token": {"data": {"title": "x"}},
        "another browser's token in the form": {"data": {"csrf_token": foreign}},
        "another browser's token in the header": {"headers": {"X-CSRF-Token": foreign}},
        "a multipart form with another browser's token": {
            "data": {"csrf_token": foreign},
            "files": {"file": ("notes.md", b"# Notes")},
        },
    }
    let_through = []
    for method, url in routes:
        for label, request in tries.items():
            headers = {**JSON, **request.get("headers", {})}
            response = await client.request(
                method, url, headers=headers, data=request.get("data"), files=request.get("files")
            )
            if not refused_for_csrf(response):
                let_through.append(f"{method} {url} with {label}: {response.status_code}")
    return let_through


async def test_the_routes_come_from_the_router(app):
    routes = unsafe_page_routes(app)
    paths = {path for _, path in routes}
    assert {"/login", "/logout", "/upload", "/settings/profile"} <= paths
    assert any(p.startswith("/learn/") and p.endswith("/act") for p in paths)
    assert any(p.startswith("/content/") and p.endswith("/map/edit") for p in paths)
    assert not any(p.startswith("/api/") for p in paths)


async def test_every_unsafe_page_route_refuses_a_missing_or_foreign_token(app, client):
    routes = unsafe_page_routes(app)
    foreign = await token_of_another_browser(app)
    await client.get("/login")  # signed out, with a CSRF cookie of its own
    assert await attempts(client, routes, foreign) == []
    await register(client)
    assert (await sign_in_page(client)).status_code == 303
    assert await attempts(client, routes, foreign) == []
    mine = client.cookies["lo_csrf"]
    # A browser without the CSRF cookie cannot borrow a token either.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as bare:
        for method, url in routes:
            response = await bare.request(method, url, headers=JSON, data={"csrf_token": mine})
            assert refused_for_csrf(response), (method, url, response.status_code)
    # The browser's own token passes the check (whatever the route then answers), so the
    # refusals above are about the token. Signing out comes last, to stay signed in.
    for method, url in sorted(routes, key=lambda r: r[1] == "/logout"):
        for request in ({"data": {"csrf_token": mine}}, {"headers": {"X-CSRF-Token": mine}}):
            headers = {**JSON, **request.get("headers", {})}
            response = await client.request(method, url, headers=headers, data=request.get("data"))
            assert not refused_for_csrf(response), (method, url)


async def test_signed_out_visitors_are_sent_to_sign_in_and_back(client):
    await client.get("/login")
    token = client.cookies["lo_csrf"]
    item = uuid.uuid4()
    # A page: back to it, query included.
    page = await client.get(f"/content/{item}/read?page=3")
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/content/{item}/read%3Fpage%3D3"
    # An htmx fragment: back to the page that asked for it, not to the fragment.
    here = {**HTMX, "HX-Current-URL": "http://testserver/notes?q=mean"}
    fragment = await client.get("/notes/search?q=mean", headers=here)
    assert fragment.status_code == 204
    assert fragment.headers["hx-redirect"] == "/login?next=/notes%3Fq%3Dmean"
    panel = await client.get(
        f"/learn/{item}/panel", headers={**HTMX, "Referer": f"http://testserver/learn/{item}"}
    )
    assert panel.headers["hx-redirect"] == f"/login?next=/learn/{item}"
    elsewhere = {**HTMX, "HX-Current-URL": "https://evil.example/notes"}
    fragment = await client.get("/notes/search", headers=elsewhere)
    assert fragment.headers["hx-redirect"] == "/login?next=/notes/search"
    # A plain form: back to the page the form was on, never to another site.
    form = {"csrf_token": token, "pace": "slow"}
    came_from = {"Referer": "http://testserver/settings?tab=learning"}
    posted = await client.post("/settings/learning", data=form, headers=came_from)
    assert posted.status_code == 303
    assert posted.headers["location"] == "/login?next=/settings%3Ftab%3Dlearning"
    for referer in ("https://evil.example/settings", "http://testserver//evil.example", ""):
        posted = await client.post("/settings/learning", data=form, headers={"Referer": referer})
        assert posted.headers["location"] == "/login?next=/dashboard", referer
    # An htmx form post is refused (a toast), so htmx keeps what was typed.
    note = {"csrf_token": token, "concept_id": str(uuid.uuid4()), "content": "My note"}
    saved = await client.post(f"/learn/{item}/note", data=note, headers=HTMX)
    assert saved.status_code == 401 and "hx-redirect" not in saved.headers
    assert "Sign in" in saved.headers["hx-trigger"]
