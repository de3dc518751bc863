"""Pages: parsed HTML, signed out and signed in, full pages and htmx fragments, CSRF."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import update

from learningos.models.auth import RefreshToken
from tests.conftest import PASSWORD, register

HTMX = {"HX-Request": "true"}


def html(response: httpx.Response) -> HTMLParser:
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return HTMLParser(response.text)


def csrf_of(doc: HTMLParser) -> str:
    node = doc.css_first('input[name="csrf_token"]')
    assert node is not None, "every form carries a CSRF token"
    return node.attributes["value"] or ""


def assert_same_origin(doc: HTMLParser) -> None:
    for node in doc.css("[src], [href], [action]"):
        for attr in ("src", "href", "action"):
            value = node.attributes.get(attr)
            if value and not value.startswith(("#", "/", "mailto:")):
                assert urlsplit(value).netloc in ("testserver", ""), f"external {attr}: {value}"


async def sign_in_page(
    client: httpx.AsyncClient, email: str = "ann@example.com", remember: bool = False
):  # type: ignore[no-untyped-def]
    token = csrf_of(html(await client.get("/login")))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "on"
    return await client.post("/login", data=data)


@pytest.mark.parametrize("path", ["/", "/login", "/register"])
async def test_public_pages_render_for_guests(client, path):
    response = await client.get(path)
    assert response.status_code == 200
    doc = html(response)
    assert doc.css_first("main#main") is not None
    assert doc.css_first("title").text().endswith("Learning OS")
    assert_same_origin(doc)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not doc.css("script:not([src])"), "no inline scripts (CSP)"
    assert not doc.css("[style]"), "no inline styles (CSP)"


async def test_login_form_fields_are_labelled(client):
    doc = html(await client.get("/login"))
    for field in ("email", "password"):
        control = doc.css_first(f'input[name="{field}"]')
        assert control is not None
        assert doc.css_first(f'label[for="{control.attributes["id"]}"]') is not None


async def test_register_page_has_a_strength_meter(client):
    doc = html(await client.get("/register"))
    assert doc.css_first('input[name="password_confirm"]') is not None
    assert doc.css_first('input[name="accept_terms"]') is not None
    assert doc.css_first("[data-strength-meter], meter, [data-password-strength]") is not None


async def test_dashboard_needs_sign_in(client):
    response = await client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/dashboard"
    fragment = await client.get("/dashboard", headers=HTMX)
    assert fragment.headers["hx-redirect"] == "/login?next=/dashboard"


async def test_register_sign_in_dashboard_and_sign_out(client):
    token = csrf_of(html(await client.get("/register")))
    response = await client.post(
        "/register",
        data={
            "name": "Dara Sok",
            "email": "dara@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "accept_terms": "on",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookies = response.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("lo_access="))
    assert "HttpOnly" in access and "SameSite=Lax" in access
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200
    doc = html(dashboard)
    assert "Dara Sok" in doc.body.text()
    assert "Welcome! Your account is ready." in doc.body.text()
    assert doc.css_first('a[href="/upload"]') is not None, "the empty state says what to do"
    assert_same_origin(doc)
    # Signed in, /login goes straight to the dashboard.
    assert (await client.get("/login")).headers["location"] == "/dashboard"
    out = await client.post("/logout", data={"csrf_token": csrf_of(doc)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (await client.get("/dashboard")).status_code == 303
    login_page = html(await client.get("/login"))
    assert "You have been signed out." in login_page.body.text()


async def test_dashboard_fragment_for_htmx(client):
    await register(client)
    assert (await sign_in_page(client)).status_code == 303
    full = await client.get("/dashboard")
    fragment = await client.get("/dashboard", headers=HTMX)
    assert "<html" in full.text and "<html" not in fragment.text
    assert "Ann Lee" in fragment.text


async def test_wrong_password_re_renders_the_form(client):
    await register(client)
    token = csrf_of(html(await client.get("/login")))
    response = await client.post(
        "/login", data={"email": "ANN@example.com", "password": "wrong pass!!", "csrf_token": token}
    )
    assert response.status_code == 401
    doc = html(response)
    assert "Email or password is incorrect." in doc.css_first('[role="alert"]').text()
    assert doc.css_first('input[name="email"]').attributes["value"] == "ANN@example.com"


async def test_invalid_registration_shows_errors_in_place(client):
    token = csrf_of(html(await client.get("/register")))
    response = await client.post(
        "/register",
        data={
            "name": "Dara",
            "email": "not-an-email",
            "password": "short",
            "password_confirm": "different",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    text = html(response).body.text()
    assert "don't match" in text and "accept the terms" in text
    ok_confirm = await client.post(
        "/register",
        data={
            "name": "Dara",
            "email": "not-an-email",
            "password": "short",
            "password_confirm": "short",
            "accept_terms": "on",
            "csrf_token": token,
        },
    )
    assert ok_confirm.status_code == 400
    assert "valid email" in html(ok_confirm).body.text()


async def test_form_posts_without_csrf_are_refused(client):
    await register(client)
    await client.get("/login")  # the browser has a CSRF cookie, but the form omits the token
    response = await client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert "form expired" in html(response).body.text()
    forged = await client.post(
        "/login", data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": "x" * 43}
    )
    assert forged.status_code == 403
    fresh = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with fresh:
        no_cookie = await fresh.post(
            "/login", data={"email": "a@b.co", "password": "x", "csrf_token": "y" * 43}
        )
    assert no_cookie.status_code == 403


async def test_cookie_authenticated_api_writes_need_csrf(client):
    await register(client)
    await sign_in_page(client)
    assert (await client.get("/api/v1/me")).status_code == 200
    blocked = await client.post("/api/v1/auth/logout")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "csrf_failed"
    allowed = await client.post(
        "/api/v1/auth/logout", headers={"X-CSRF-Token": client.cookies["lo_csrf"]}
    )
    assert allowed.status_code == 204


async def test_expired_access_cookie_is_refreshed_from_the_refresh_cookie(client, services):
    await register(client)
    await sign_in_page(client, remember=True)
    client.cookies.set("lo_access", "expired.or.garbage")
    first_refresh = client.cookies["lo_refresh"]
    response = await client.get("/dashboard")
    assert response.status_code == 200
    assert client.cookies["lo_refresh"] != first_refresh
    # A revoked refresh cookie signs the browser out.
    async with services.db.transaction() as session:
        await session.execute(update(RefreshToken).values(revoked_at=RefreshToken.created_at))
    client.cookies.set("lo_access", "expired.or.garbage")
    assert (await client.get("/dashboard")).status_code == 303


async def test_unknown_page_is_a_helpful_404(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    doc = html(response)
    assert "404" in doc.body.text()
    assert response.headers["x-request-id"] in doc.body.text()


async def test_login_page_rate_limit_is_shown_not_raised(client, settings):
    limit = int(settings.login_limit_per_email_ip.split("/")[0])
    token = csrf_of(html(await client.get("/login")))
    for _ in range(limit):
        await client.post(
            "/login",
            data={"email": "ann@example.com", "password": "wrong!!!!!!", "csrf_token": token},
        )
    response = await client.post(
        "/login", data={"email": "ann@example.com", "password": "wrong!!!!!!", "csrf_token": token}
    )
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert "Too many attempts" in html(response).css_first('[role="alert"]').text()


async def test_static_assets_are_served(client):
    doc = html(await client.get("/login"))
    for node in doc.css('link[rel="stylesheet"], script[src]'):
        url = node.attributes.get("href") or node.attributes.get("src")
        asset = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200, url
        # Assets travel compressed (httpx decodes them); pages never are (BREACH).
        assert asset.headers.get("content-encoding") == "gzip", url
        assert len(asset.content) > int(asset.headers.get("content-length", "0")), url
    page = await client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in page.headers


async def test_parallel_page_requests_with_an_expired_cookie_stay_signed_in(client, services):
    import asyncio
    from datetime import timedelta

    from sqlalchemy import select

    from learningos.kit.db import utcnow

    await register(client)
    await sign_in_page(client)
    refresh_cookie = client.cookies["lo_refresh"]
    jar = {
        "lo_access": "expired",
        "lo_refresh": refresh_cookie,
        "lo_csrf": client.cookies["lo_csrf"],
    }
    header = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    client.cookies.clear()
    responses = await asyncio.gather(*(client.get("/dashboard", headers=header) for _ in range(3)))
    assert [r.status_code for r in responses] == [200, 200, 200]
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(RefreshToken))).all()
    assert all(r.revoked_at is None for r in rows), "a parallel refresh is not a theft"
    # The same old cookie presented later, outside the grace window, is treated as theft.
    async with services.db.transaction() as session:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.used_at.is_not(None))
            .values(used_at=utcnow() - timedelta(minutes=5))
        )
    late = await client.get("/dashboard", headers=header)
    assert late.status_code == 303
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(RefreshToken))).all()
    assert all(r.revoked_at is not None for r in rows)


@pytest.mark.parametrize(("path", "action"), [("/login", "/login"), ("/register", "/register")])
async def test_forms_post_to_the_pages_not_the_json_api(client, path, action):
    form = html(await client.get(path)).css_first("main form[method]")
    assert form is not None
    assert form.attributes["action"].endswith(action)
    assert "/api/" not in form.attributes["action"]


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/privacy", "Privacy"), ("/terms", "Terms of Service"), ("/contact", "Contact")],
)
async def test_legal_pages(client, path, heading):
    response = await client.get(path)
    assert response.status_code == 200
    doc = html(response)
    assert doc.css_first("h1").text().strip() == heading
    assert doc.css_first(f'footer a[href="{path}"]') is not None
    assert_same_origin(doc)
    if path == "/contact":
        assert doc.css_first('a[href="mailto:hello@learningos.local"]') is not None
    else:  # a table of contents whose links all reach a section
        targets = [a.attributes["href"][1:] for a in doc.css('nav[aria-label] a[href^="#"]')]
        assert targets and all(doc.css_first(f"#{t}") is not None for t in targets)


async def test_library_page_empty_filters_and_access(client, services):
    from tests.integration.test_content import upload

    signed_out = await client.get("/library")
    assert (
        signed_out.status_code == 303 and signed_out.headers["location"] == "/login?next=/library"
    )
    await register(client)
    await sign_in_page(client)
    empty = html(await client.get("/library"))
    assert "Your library is empty" in empty.body.text()
    assert empty.css_first('a[aria-current="page"][href="/library"]') is not None

    tokens = {"access_token": client.cookies["lo_access"]}
    r = await upload(
        client, tokens, "notes.md", b"# Notes\n\nSome words to learn from.", title="Mine"
    )
    assert r.status_code == 201, r.text
    doc = html(await client.get("/library"))
    assert "Mine" in doc.body.text() and doc.css_first('a[href$="?show=failed"]') is None
    nothing = html(await client.get("/library?show=failed"))
    assert "Nothing here with this filter." in nothing.body.text()
    assert "Mine" not in nothing.body.text()
    unknown = html(await client.get("/library?show=bogus"))  # an unknown filter shows all
    assert "Mine" in unknown.body.text()
    chip = unknown.css_first('nav[aria-label="Filter the library"] a[aria-current="page"]')
    assert chip is not None and chip.text().split()[0] == "All"
    assert not doc.css("script:not([src])") and not doc.css("[style]")


async def test_landing_has_steps_features_and_a_call_to_action(client):
    doc = html(await client.get("/"))
    assert len(doc.css("#how-it-works ol > li")) == 4
    assert len(doc.css("#features ul > li")) == 6
    assert doc.css_first('a[href="#features"]') is not None
    assert doc.css_first('#features a[href$="/register"]') is not None


@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example"])
async def test_sign_in_never_redirects_to_another_site(client, target):
    await register(client)
    page = await client.get("/login", params={"next": target})
    assert target not in page.text
    token = csrf_of(html(page))
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": token, "next": target}
    plain = await client.post("/login", data=data)
    assert plain.status_code == 303 and plain.headers["location"] == "/dashboard"
    client.cookies.clear()
    data["csrf_token"] = csrf_of(html(await client.get("/login")))
    htmx = await client.post("/login", data=data, headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["hx-redirect"] == "/dashboard"
