"""Control characters in any text input are a 422 in the error shape, never a 500: on
SQLite and on PostgreSQL (which cannot store a NUL), in the API and in the page forms."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningos.kit.textinput import has_control
from learningos.notes.search import fts5_query, terms
from tests.conftest import PASSWORD, bearer, signed_in
from tests.integration.test_pages import csrf_of, html

NUL = "\x00"


def assert_control_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["request_id"] == response.headers["x-request-id"]
    assert {"field": field, "type": "control_character"}.items() <= error["details"][0].items()


async def test_anonymous_register_and_login_with_a_nul_are_422(client):
    body = {"name": f"Ann{NUL}", "email": "ann@example.com", "password": PASSWORD}
    assert_control_refused(await client.post("/api/v1/auth/register", json=body), "name")
    login = {"email": f"ann{NUL}@example.com", "password": PASSWORD}
    assert_control_refused(await client.post("/api/v1/auth/login", json=login), "email")
    escaped = '{"email": "ann@example.com", "password": "x\\u0000yyyyyyyyy"}'
    response = await client.post(
        "/api/v1/auth/login", content=escaped, headers={"content-type": "application/json"}
    )
    assert_control_refused(response, "password")
    # A lone surrogate (valid JSON, but no database can encode it).
    lone = '{"name": "Ann \\ud800", "email": "ann@example.com", "password": "x"}'
    response = await client.post(
        "/api/v1/auth/register", content=lone, headers={"content-type": "application/json"}
    )
    assert_control_refused(response, "name")


async def test_page_forms_and_the_login_page_with_a_nul_are_422(client):
    token = csrf_of(html(await client.get("/login")))
    form = {"email": f"ann{NUL}@example.com", "password": PASSWORD, "csrf_token": token}
    response = await client.post("/login", data=form)
    assert response.status_code == 422 and "control characters" in response.text
    page = await client.get("/login", params={"next": f"/dashboard{NUL}"})
    assert page.status_code == 422


async def test_signed_in_inputs_with_a_nul_are_422(client):
    tokens = await signed_in(client)
    auth = bearer(tokens)
    profile = await client.patch("/api/v1/users/me", headers=auth, json={"name": f"A{NUL}nn"})
    assert_control_refused(profile, "name")
    upload = await client.post(
        "/api/v1/content/upload",
        headers=auth,
        files={"file": ("notes.md", b"# Notes\n\nSome text.\n")},
        data={"title": f"Bio{NUL}"},
    )
    assert_control_refused(upload, "title")
    # httpx escapes control characters in file names; a raw body carries the NUL itself.
    raw = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x00.md"\r\n'
        b"Content-Type: text/markdown\r\n\r\n# A\n\ntext\n\r\n--b--\r\n"
    )
    named = await client.post(
        "/api/v1/content/upload",
        headers={**auth, "content-type": "multipart/form-data; boundary=b"},
        content=raw,
    )
    assert_control_refused(named, "file")
    search = await client.get("/api/v1/notes/search", headers=auth, params={"q": f'"x{NUL}'})
    assert_control_refused(search, "q")
    # Tab and newlines are ordinary text.
    fine = await client.patch("/api/v1/users/me", headers=auth, json={"name": "Ann\tLee"})
    assert fine.status_code == 200, fine.text


def test_the_fts5_builder_is_safe_for_any_input():
    assert fts5_query(f'"photo{NUL}syn') == '"""photo" "syn"'
    assert terms("\x1f\x7f") == [] and fts5_query("\x00") is None


TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=None, exclude_categories=["Cs"])
    | st.sampled_from([NUL, "\x01", "\x1b", "\x7f", "\x85", "\t", "\n", '"', "'", "*", "\\"]),
    max_size=40,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=TEXT)
async def test_string_fields_never_answer_500(client, services, value):
    """Any text in the string fields of the anonymous and signed-in forms: 422 when it holds
    a control character, otherwise whatever the rules say, and never a server error."""
    await services.limiter.reset()
    tokens = await signed_in(client, email=f"fuzz{abs(hash(value)) % 10**9}@example.com")
    auth = bearer(tokens)
    calls = [
        (
            "name",
            client.post(
                "/api/v1/auth/register",
                json={"name": value, "email": "x@example.com", "password": PASSWORD},
            ),
        ),
        ("email", client.post("/api/v1/auth/login", json={"email": value, "password": PASSWORD})),
        (
            "password",
            client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": value}),
        ),
        ("name", client.patch("/api/v1/users/me", headers=auth, json={"name": value})),
        ("q", client.get("/api/v1/notes/search", headers=auth, params={"q": value})),
    ]
    for field, call in calls:
        response = await call
        assert response.status_code < 500, (field, value, response.text)
        if has_control(value):
            assert_control_refused(response, field)
