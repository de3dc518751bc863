"""Upload and content pages: full pages, XHR upload answers, the live status fragment."""

from __future__ import annotations

from tests.conftest import register
from tests.integration.test_content import NOTES, processed
from tests.integration.test_pages import csrf_of, html, sign_in_page

XHR = {"X-Requested-With": "XMLHttpRequest"}


async def _signed_in_browser(client):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    return client.cookies["lo_csrf"]


async def test_upload_page_needs_sign_in(client):
    response = await client.get("/upload")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/upload"


async def test_upload_page_shows_the_limits(client, settings):
    await _signed_in_browser(client)
    doc = html(await client.get("/upload"))
    assert doc.css_first('input[type="file"][name="file"]') is not None
    assert doc.css_first('form[enctype="multipart/form-data"]') is not None
    assert str(settings.max_upload_bytes // (1 << 20)) in doc.body.text()
    action = doc.css_first('form[enctype="multipart/form-data"]').attributes["action"]
    assert action.endswith("/upload") and "/api/" not in action


async def test_xhr_upload_answers_json_then_the_item_page_shows_sections(client, services):
    csrf = await _signed_in_browser(client)
    response = await client.post(
        "/upload",
        headers=XHR,
        files={"file": ("bio.md", NOTES)},
        data={"csrf_token": csrf, "title": "Bio"},
    )
    assert response.status_code == 201, response.text
    target = response.json()["redirect"]
    content_id = target.rsplit("/", 1)[1]
    page = await client.get(target)
    assert page.status_code == 200
    assert "Bio" in html(page).body.text()
    tokens = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, tokens, content_id)
    doc = html(await client.get(target))
    assert "The Calvin cycle" in doc.body.text()
    finished = await client.get(f"/content/{content_id}/status", headers={"HX-Request": "true"})
    assert finished.headers.get("hx-refresh") == "true"
    results = await client.get(
        f"/content/{content_id}/search",
        params={"q": "oxygen released"},
        headers={"HX-Request": "true"},
    )
    assert "light reactions" in results.text.lower()
    dashboard = html(await client.get("/dashboard"))
    assert dashboard.css_first(f'a[href$="/content/{content_id}"]') is not None


async def test_xhr_upload_errors_use_the_error_shape(client):
    csrf = await _signed_in_browser(client)
    response = await client.post(
        "/upload",
        headers=XHR,
        files={"file": ("x.png", b"\x89PNG\r\n\x1a\n\x00\x00")},
        data={"csrf_token": csrf},
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file"


async def test_plain_form_upload_redirects_or_re_renders(client, services):
    csrf = await _signed_in_browser(client)
    bad = await client.post(
        "/upload", files={"file": ("empty.txt", b"")}, data={"csrf_token": csrf}
    )
    assert bad.status_code == 422
    assert html(bad).css_first('[role="alert"], .field-error, [id$="-error"]') is not None
    good = await client.post(
        "/upload", files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    assert good.status_code == 303 and good.headers["location"].startswith("/content/")
    again = await client.post(
        "/upload", files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    assert again.status_code == 303 and again.headers["location"] == good.headers["location"]
    page = html(await client.get(again.headers["location"]))
    assert "already in your library" in page.body.text()
    tokens = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, tokens, good.headers["location"].rsplit("/", 1)[1])


async def test_upload_without_csrf_is_refused(client):
    await _signed_in_browser(client)
    response = await client.post("/upload", files={"file": ("bio.md", NOTES)})
    assert response.status_code == 403


async def test_delete_from_the_page(client, services):
    csrf = await _signed_in_browser(client)
    good = await client.post(
        "/upload", files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    target = good.headers["location"]
    tokens = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, tokens, target.rsplit("/", 1)[1])
    doc = html(await client.get(target))
    form = doc.css_first('form[action$="/delete"]')
    assert form is not None and form.attributes.get("data-confirm")
    deleted = await client.post(form.attributes["action"], data={"csrf_token": csrf_of(doc)})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/dashboard"
    assert (await client.get(target)).status_code == 404
