"""Public listings: `/c/{slug-or-id}` for guests and signed-in learners, shared and private
items (404 to who may not read them, noindex to who may), slugs made when an item is first
listed, "Start learning", the sitemap and robots.txt; covers: uploads checked from their
bytes and re-encoded, served with caching headers, and the first PDF page rendered when a
PDF is processed.

Runs on SQLite, and on PostgreSQL with LEARNINGOS_TEST_DATABASE_URL set."""

from __future__ import annotations

import uuid
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from learningos.content.slugs import first_free, slugify
from learningos.models.catalogue import ContentRating, LibraryEntry
from learningos.models.content import Content
from learningos.models.learning import LearningMap
from tests.conftest import bearer, signed_in
from tests.fakes.pdfgen import prose, write_pdf
from tests.integration.test_content import processed, upload
from tests.integration.test_donation_settings import make_creator
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_progress import make_content, user_id_of

EVIL = '<script>alert("x")</script>'


def png(width: int = 64, height: int = 48, kind: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (99, 102, 241)).save(out, kind)
    return out.getvalue()


async def owner_with(client, services, visibility: str, title: str = "Statistics"):  # type: ignore[no-untyped-def]
    """An owner (bearer tokens, id) and a ready item whose visibility is set through the API
    (so that listing it gives it a slug)."""
    tokens = await signed_in(client, "owner@example.com")
    client.cookies.clear()
    owner_id = await make_creator(services, "owner@example.com")  # so that it may sell
    content_id, _ = await make_content(services, owner_id, ["Mean", "Variance"], title=title)
    if visibility != "private":
        response = await client.patch(
            f"/api/v1/content/{content_id}/visibility",
            json={"visibility": visibility, **paid_price(visibility)},
            headers=bearer(tokens),
        )
        assert response.status_code == 200, response.text
    return tokens, owner_id, content_id


def paid_price(visibility: str) -> dict[str, int]:
    return {"price_cents": 499} if visibility == "paid" else {}


async def content_row(services, content_id) -> Content:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        row = await session.get(Content, content_id)
        assert row is not None
        return row


# -- slugs ------------------------------------------------------------------------------------


def test_slugify():
    assert slugify("Statistics: An Introduction!") == "statistics-an-introduction"
    assert slugify("Café Société — 2nd ed.") == "cafe-societe-2nd-ed"
    assert slugify("   ") == "material"
    assert slugify("<b>Bold</b> & co") == "b-bold-b-co"
    assert slugify("ភាសាខ្មែរ") != "material"  # other scripts are kept
    assert len(slugify("word " * 100)) <= 80
    uuid_title = str(uuid.uuid4())
    assert slugify(uuid_title) != uuid_title  # never read as an id
    assert first_free("stats", {"stats", "stats-2"}) == "stats-3"
    assert first_free("stats", set()) == "stats"


async def test_slugs_are_made_when_first_listed_and_kept(client, services):
    tokens, owner_id, content_id = await owner_with(client, services, "shared")
    assert (await content_row(services, content_id)).slug is None  # shared: not listed
    headers = bearer(tokens)
    url = f"/api/v1/content/{content_id}/visibility"
    assert (await client.patch(url, json={"visibility": "public"}, headers=headers)).is_success
    assert (await content_row(services, content_id)).slug == "statistics"
    # A second item of the same title gets a suffix; going private and back keeps the slug.
    other, _ = await make_content(services, owner_id, ["Mean"], title="Statistics")
    response = await client.patch(
        f"/api/v1/content/{other}/visibility", json={"visibility": "public"}, headers=headers
    )
    assert response.is_success
    assert (await content_row(services, other)).slug == "statistics-2"
    for value in ("private", "public"):
        assert (await client.patch(url, json={"visibility": value}, headers=headers)).is_success
    assert (await content_row(services, content_id)).slug == "statistics"
    body = (await client.get(f"/api/v1/content/{content_id}", headers=headers)).json()
    assert body["slug"] == "statistics"


# -- the listing page -------------------------------------------------------------------------


async def test_listing_page_for_a_guest(client, services):
    tokens, owner_id, content_id = await owner_with(
        client, services, "public", title=f"Stats {EVIL}"
    )
    async with services.db.transaction() as session:
        content = await session.get(Content, content_id)
        content.description = f"Learn the basics. {EVIL}"
        learning_map = (
            await session.scalars(select(LearningMap).where(LearningMap.content_id == content_id))
        ).one()
        learning_map.overview = "From the mean to the variance."
        slug = content.slug
    assert slug and slug.startswith("stats-script-alert-x-script")
    # A review with HTML in it, by a learner who studied the item.
    ann = await signed_in(client, "ann@example.com")
    client.cookies.clear()
    async with services.db.transaction() as session:
        from learningos.models.learning import LearningSession

        session.add(
            LearningSession(
                user_id=await user_id_of(services, "ann@example.com"), content_id=content_id
            )
        )
    rated = await client.put(
        f"/api/v1/content/{content_id}/rating",
        json={"rating": 4, "review": f"Great {EVIL}"},
        headers=bearer(ann),
    )
    assert rated.status_code == 201

    by_id = await client.get(f"/c/{content_id}")
    assert by_id.status_code == 301 and by_id.headers["location"] == f"/c/{slug}"
    response = await client.get(f"/c/{slug}")
    assert response.status_code == 200
    assert EVIL not in response.text  # title, description and review: all escaped
    assert "&lt;script&gt;" in response.text
    doc = html(response)
    assert doc.css_first("h1").text().strip() == f"Stats {EVIL}"
    assert doc.css_first("meta[name=robots]") is None
    og = {m.attributes["property"]: m.attributes["content"] for m in doc.css("meta[property]")}
    assert og["og:title"] == f"Stats {EVIL}"
    assert og["og:url"] == f"http://127.0.0.1:8000/c/{slug}"
    assert og["og:description"].startswith("Learn the basics.")
    assert og["og:image"].startswith("http://127.0.0.1:8000/")
    assert doc.css_first("[data-overview]").text() == "From the mean to the variance."
    assert [li.text().strip() for li in doc.css("[data-concepts] li")] == ["Mean", "Variance"]
    assert doc.css_first("[data-rating]").attributes["data-rating-count"] == "1"
    assert doc.css_first("[data-review-text]").text() == f"Great {EVIL}"
    start = doc.css_first("[data-start-signin]").attributes["href"]
    assert start.endswith(f"/login?next=/c/{slug}")
    assert doc.css_first("[data-start]") is None  # a guest is asked to sign in first
    assert "SECRET" not in response.text


async def test_unlisted_items_are_404_to_who_cannot_read_them_and_noindex(client, services):
    tokens, owner_id, content_id = await owner_with(client, services, "shared")
    private_tokens = tokens
    private_id, _ = await make_content(services, owner_id, ["Mean"], title="Diary")
    for item in (content_id, private_id):
        assert (await client.get(f"/c/{item}")).status_code == 404  # a guest
    assert (await client.get(f"/c/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/c/no-such-slug")).status_code == 404
    # Another signed-in learner: the same 404 as for an item that does not exist.
    await signed_in(client, "eve@example.com")
    client.cookies.clear()
    await sign_in_page(client, "eve@example.com")
    for item in (content_id, private_id):
        response = await client.get(f"/c/{item}")
        assert response.status_code == 404 and "Statistics" not in response.text
        reviews = await client.get(f"/api/v1/content/{item}/reviews")
        assert reviews.status_code == 404
    client.cookies.clear()
    # The owner sees both, marked noindex.
    await sign_in_page(client, "owner@example.com")
    for item in (content_id, private_id):
        response = await client.get(f"/c/{item}")
        assert response.status_code == 200
        assert html(response).css_first("meta[name=robots]").attributes["content"] == "noindex"
        assert response.headers["x-robots-tag"] == "noindex"
    assert private_tokens


async def test_start_learning_adds_to_the_library_once(client, services):
    _, _, content_id = await owner_with(client, services, "public")
    slug = (await content_row(services, content_id)).slug
    # Signed out: the form is not offered; posting it sends to sign in and back.
    page = await client.get(f"/c/{slug}")
    token = client.cookies.get("lo_csrf", "")
    response = await client.post(
        f"/c/{slug}/start",
        data={"csrf_token": token},
        headers={"referer": f"http://testserver/c/{slug}"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/c/{slug}"
    assert page.status_code == 200

    await signed_in(client, "ann@example.com")
    client.cookies.clear()
    await sign_in_page(client, "ann@example.com")
    doc = html(await client.get(f"/c/{slug}"))
    form = doc.css_first("form[action$='/start']")
    assert form is not None and doc.css_first("[data-start]") is not None
    token = csrf_of(doc)
    assert (await client.post(f"/c/{slug}/start", data={})).status_code == 403  # no CSRF token
    for _ in range(2):
        response = await client.post(form.attributes["action"], data={"csrf_token": token})
        assert response.status_code == 303
        assert response.headers["location"] == f"/content/{content_id}"
    async with services.db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(LibraryEntry))
    assert count == 1
    doc = html(await client.get(f"/c/{slug}"))
    assert doc.css_first("[data-open]") is not None  # now "Continue learning"


async def test_a_paid_listing_shows_to_all_but_opens_only_for_buyers(client, services):
    _, _, content_id = await owner_with(client, services, "paid")
    slug = (await content_row(services, content_id)).slug
    assert (await client.get(f"/c/{slug}")).status_code == 200  # a guest sees the listing
    await signed_in(client, "ann@example.com")
    client.cookies.clear()
    await sign_in_page(client, "ann@example.com")
    doc = html(await client.get(f"/c/{slug}"))
    response = await client.post(f"/c/{slug}/start", data={"csrf_token": csrf_of(doc)})
    assert response.status_code == 303 and response.headers["location"] == f"/c/{slug}"
    # Not a grant: the item itself opens on its buy page.
    opened = await client.get(f"/content/{content_id}")
    assert opened.status_code == 303 and opened.headers["location"] == f"/buy/{content_id}"


async def test_sitemap_and_robots(client, services):
    tokens, owner_id, public_id = await owner_with(client, services, "public", title="Open stats")
    headers = bearer(tokens)
    listed = {}
    for visibility, title in (("paid", "Paid stats"), ("shared", "Shared stats")):
        item, _ = await make_content(services, owner_id, ["Mean"], title=title)
        response = await client.patch(
            f"/api/v1/content/{item}/visibility",
            json={"visibility": visibility, **paid_price(visibility)},
            headers=headers,
        )
        assert response.is_success
        listed[visibility] = item
    private_id, _ = await make_content(services, owner_id, ["Mean"], title="Private stats")
    # A public item made private again keeps its slug but leaves the sitemap.
    gone, _ = await make_content(services, owner_id, ["Mean"], title="Gone stats")
    for value in ("public", "private"):
        response = await client.patch(
            f"/api/v1/content/{gone}/visibility", json={"visibility": value}, headers=headers
        )
        assert response.is_success

    response = await client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    text = response.text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<loc>http://127.0.0.1:8000/c/open-stats</loc>" in text
    assert "<loc>http://127.0.0.1:8000/c/paid-stats</loc>" in text
    assert "shared-stats" not in text and "private" not in text and "gone-stats" not in text
    assert text.count("<url>") == 3  # the landing page and the two listings
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots.text
    assert private_id and public_id


# -- covers -----------------------------------------------------------------------------------


async def test_cover_upload_checks_the_bytes_and_re_encodes(client, services):
    tokens, owner_id, content_id = await owner_with(client, services, "public")
    headers = bearer(tokens)
    url = f"/api/v1/content/{content_id}/cover"

    def put(data: bytes, name: str = "cover.png", kind: str = "image/png"):  # type: ignore[no-untyped-def]
        return client.put(url, files={"file": (name, data, kind)}, headers=headers)

    bad = [
        b"<html><script>alert(1)</script></html>",  # a page named .png
        b"GIF89a" + b"\x00" * 100,  # a real image format that is not allowed
        png()[:60],  # a truncated PNG
        b"%PDF-1.4 not an image",
        png(8, 8),  # too small
        png(8001, 20),  # too wide
    ]
    for data in bad:
        response = await put(data)
        assert response.status_code == 422, (data[:20], response.text)
        assert response.json()["error"]["code"] == "validation_error"
    assert (await client.put(url, headers=headers)).status_code == 422  # no file at all
    huge = await put(b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024 + 10))
    assert huge.status_code == 413

    for kind in ("PNG", "JPEG", "WEBP"):
        response = await put(png(1600, 900, kind), name="c.bin", kind="text/plain")
        assert response.status_code == 200, response.text
    body = response.json()
    assert body["cover_url"].startswith(f"/api/v1/content/{content_id}/cover?v=")
    served = await client.get(body["cover_url"])  # a guest: the item is listed
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(BytesIO(served.content))
    assert image.format == "WEBP" and image.size == (1200, 675)  # re-encoded, bounded
    assert (await client.get(url)).headers["cache-control"] == "public, max-age=300"
    # Only the owner (or an admin) sets it; anyone else who can read it: 403.
    other = await signed_in(client, "eve@example.com")
    client.cookies.clear()
    response = await client.put(url, files={"file": ("c.png", png())}, headers=bearer(other))
    assert response.status_code == 403
    # Made private: the cover is as hidden as the listing.
    response = await client.patch(
        f"/api/v1/content/{content_id}/visibility", json={"visibility": "private"}, headers=headers
    )
    assert response.is_success
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=bearer(other))).status_code == 404
    owner_view = await client.get(url, headers=headers)
    assert owner_view.status_code == 200 and owner_view.headers["cache-control"].startswith(
        "private"
    )
    # Only the last cover is kept in storage.
    stored = await services.storage.listing(f"covers/{content_id}/")
    assert len(stored) == 1


async def test_a_processed_pdf_gets_its_first_page_as_cover(client, services, tmp_path: Path):
    tokens = await signed_in(client)
    client.cookies.clear()
    pages = [prose("Chapter one. The mean is the sum divided by the count. " * 8)] * 2
    pdf = write_pdf(tmp_path / "stats.pdf", pages).read_bytes()
    response = await upload(client, tokens, "stats.pdf", pdf, title="Stats")
    assert response.status_code == 201, response.text
    content_id = response.json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready", status
    detail = (await client.get(f"/api/v1/content/{content_id}", headers=bearer(tokens))).json()
    assert detail["cover_url"], detail
    served = await client.get(detail["cover_url"], headers=bearer(tokens))
    assert served.status_code == 200
    image = Image.open(BytesIO(served.content))
    assert image.format == "WEBP" and image.size[0] == 600
    assert image.size[1] == round(600 * 792 / 612) or abs(image.size[1] - 776) <= 1
    # Mostly white with dark text: a real render of the page, not a blank.
    grey = image.convert("L")
    assert min(grey.getdata()) < 100 and max(grey.getdata()) > 240


@pytest.mark.parametrize("data", [b"%PDF-1.4\n%broken", b"%PDF-1.4\n" + b"\x00" * 2000])
def test_a_pdf_that_cannot_be_rendered_gives_no_cover(tmp_path: Path, data: bytes):
    from learningos.content.pdf_process import render_cover_bounded

    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    assert render_cover_bounded(path, memory_mb=256) is None


def test_render_cover_of_a_real_pdf(tmp_path: Path):
    from learningos.content.pdf_process import render_cover_bounded

    path = write_pdf(tmp_path / "one.pdf", [prose("Hello cover. " * 20)])
    data = render_cover_bounded(path, memory_mb=256)
    assert data is not None and Image.open(BytesIO(data)).format == "WEBP"


async def test_ratings_cascade_with_the_item(client, services):
    tokens, _, content_id = await owner_with(client, services, "public")
    assert (
        await client.delete(f"/api/v1/content/{content_id}", headers=bearer(tokens))
    ).status_code == 204
    async with services.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ContentRating)) == 0
