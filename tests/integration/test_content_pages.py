"""Upload and content pages: full pages, XHR upload answers, the live status fragment."""

from __future__ import annotations

import uuid
from datetime import timedelta

from learningos.kit.db import utcnow
from learningos.models.content import Content
from tests.conftest import bearer, login, register
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
    assert bad.status_code == 400  # a refused form is shown again with 400, as every page form
    message = html(bad).css_first("#file-error")
    assert message is not None and "empty" in message.text().lower()
    good = await client.post(
        "/upload", files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    assert good.status_code == 303 and good.headers["location"].startswith("/content/")
    again = await client.post(
        "/upload", files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    assert again.status_code == 303 and again.headers["location"] == good.headers["location"]
    page = html(await client.get(again.headers["location"]))
    assert "You already have this material" in page.body.text()
    assert page.css_first("[data-rename-offer]") is None  # the same (default) title
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


async def test_the_same_file_again_says_so_and_offers_the_new_title(client, services):
    csrf = await _signed_in_browser(client)
    first = await client.post(
        "/upload", headers=XHR, files={"file": ("bio.md", NOTES)},
        data={"csrf_token": csrf, "title": "Bio"},
    )  # fmt: skip
    assert first.status_code == 201, first.text
    again = await client.post(
        "/upload", headers=XHR, files={"file": ("bio.md", NOTES)},
        data={"csrf_token": csrf, "title": "Biology  notes"},
    )  # fmt: skip
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["duplicate"] is True
    assert body["redirect"] == first.json()["redirect"] + "?rename_to=Biology+notes"

    page = html(await client.get(body["redirect"]))
    assert "You already have this material" in page.body.text()
    offer = page.css_first("form[data-rename-offer]")
    assert offer is not None and "Rename it to “Biology notes”" in offer.text()
    renamed = await client.post(
        offer.attributes["action"], data={"csrf_token": csrf, "title": "Biology notes"}
    )
    assert renamed.status_code == 303
    page = html(await client.get(renamed.headers["location"]))
    assert page.css_first("h1").text(strip=True) == "Biology notes"
    assert page.css_first("form[data-rename-offer]") is None
    tokens = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, tokens, first.json()["redirect"].rsplit("/", 1)[1])


async def test_rename_api_is_for_the_owner_and_refuses_an_empty_title(client, services):
    csrf = await _signed_in_browser(client)
    made = await client.post(
        "/upload", headers=XHR, files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    content_id = made.json()["redirect"].rsplit("/", 1)[1]
    owner = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, owner, content_id)
    url = f"/api/v1/content/{content_id}"
    ok = await client.patch(url, json={"title": "  Photosynthesis\n notes "}, headers=bearer(owner))
    assert ok.status_code == 200 and ok.json()["title"] == "Photosynthesis notes"
    blank = await client.patch(url, json={"title": "   "}, headers=bearer(owner))
    assert blank.status_code == 422
    await register(client, email="bob@example.com")
    bob = await login(client, email="bob@example.com")
    assert (await client.patch(url, json={"title": "Mine"}, headers=bearer(bob))).status_code == 404
    assert (await client.get(url, headers=bearer(owner))).json()["title"] == "Photosynthesis notes"


async def test_a_failed_item_shows_its_reason_and_try_again_after_the_ready_ones(client, services):
    await _signed_in_browser(client)
    me = (await client.get("/api/v1/me")).json()
    now = utcnow()
    async with services.db.transaction() as session:
        session.add_all(
            [
                Content(
                    user_id=uuid.UUID(me["id"]), title="Old ready book", type="pdf",
                    status="ready", created_at=now - timedelta(days=2),
                ),
                Content(
                    user_id=uuid.UUID(me["id"]), title="New broken scan", type="pdf",
                    status="error", file_key="contents/x/original.pdf", created_at=now,
                    status_message="This PDF has no text layer — it looks scanned.",
                ),
            ]
        )  # fmt: skip
    doc = html(await client.get("/dashboard"))
    titles = [h.text(strip=True) for h in doc.css("h3")]
    assert titles.index("Old ready book") < titles.index("New broken scan")
    card = doc.css_first("[data-failed-card]")
    assert card is not None
    assert "it looks scanned" in card.css_first("[data-failed-reason]").text()
    retry = card.css_first("form")
    assert retry.attributes["action"].endswith("/retry")
    assert "Try again" in retry.text()


async def test_the_material_page_has_a_tool_bar_and_every_contents_row_opens_the_reader(
    client, services
):
    csrf = await _signed_in_browser(client)
    made = await client.post(
        "/upload", headers=XHR, files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    target = made.json()["redirect"]
    tokens = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, tokens, target.rsplit("/", 1)[1])
    doc = html(await client.get(target))
    toolbar = doc.css_first("nav[data-material-toolbar]")
    assert [a.attributes["href"] for a in toolbar.css("a")][:4] == [
        "#map", "#ask", "#search", "#contents",
    ]  # fmt: skip
    for anchor in ("map", "ask", "search", "contents"):
        assert doc.css_first(f"#{anchor}") is not None
    contents = doc.css_first("details[data-contents]")
    assert contents is not None and "open" in contents.attributes  # a short text: open
    rows = contents.css("li a")
    assert rows, "every contents row links to the reader"
    for row in rows:
        page = html(await client.get(row.attributes["href"]))
        assert page.css_first("h1").text(strip=True) == row.text(strip=True)
        assert page.css_first("[data-reader-text] p") is not None
    last = html(await client.get(rows[-1].attributes["href"]))
    assert last.css_first('a[rel="next"]') is None and last.css_first('a[rel="prev"]') is not None
    reading = html(await client.get(rows[0].attributes["href"]))
    assert any(
        "Calvin" in p.text() or "light" in p.text() for p in reading.css("[data-reader-text] p")
    )


async def test_the_reader_opens_a_page_from_a_citation_and_refuses_what_is_not_there(
    client, services
):
    csrf = await _signed_in_browser(client)
    from tests.integration.test_content import FOUR_PAGES

    made = await client.post(
        "/upload", headers=XHR, files={"file": ("paper.pdf", FOUR_PAGES.read_bytes())},
        data={"csrf_token": csrf},
    )  # fmt: skip
    target = made.json()["redirect"]
    content_id = target.rsplit("/", 1)[1]
    tokens = {"access_token": client.cookies["lo_access"]}
    await processed(client, services, tokens, content_id)
    page3 = html(await client.get(f"{target}/read?page=3"))
    pages = page3.css_first("[data-reader-pages]").text()
    start, _, end = (
        pages.replace("Pages", "").replace("Page", "").split("·")[0].strip().partition("–")
    )
    assert int(start) <= 3 <= int(end or start)
    results = html(
        await client.get(f"{target}/search", params={"q": "page"}, headers={"HX-Request": "true"})
    )
    links = [a.attributes["href"] for a in results.css("a.cite-link")]
    assert links and all(f"{target}/read?section=" in link for link in links)
    assert (await client.get(links[0])).status_code == 200
    missing = await client.get(f"{target}/read?section={uuid.uuid4()}")
    assert missing.status_code == 404
    await register(client, email="bob@example.com")
    await client.post("/auth/logout")
    client.cookies.clear()
    await sign_in_page(client, email="bob@example.com")
    assert (await client.get(f"{target}/read?page=1")).status_code == 404
