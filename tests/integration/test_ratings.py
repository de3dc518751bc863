"""Ratings and reviews: who may rate (reads the item through `readable_by`, has started a
session, is not the owner), bad input, the aggregate kept equal to the rows (20 concurrent
learners on PostgreSQL), the reviews list, and the content page's rating form.

Runs on SQLite, and on PostgreSQL with LEARNINGOS_TEST_DATABASE_URL set."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from learningos.kit.db import utcnow
from learningos.models.catalogue import ContentRating
from learningos.models.content import Content, ContentAccess
from learningos.models.learning import LearningSession
from tests.conftest import PG_URL, bearer, signed_in
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_progress import make_content, user_id_of


async def start_session(services, user_id: uuid.UUID, content_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        session.add(LearningSession(user_id=user_id, content_id=content_id))


async def learner(client, services, email: str, content_id=None) -> tuple[dict, uuid.UUID]:  # type: ignore[no-untyped-def]
    """A signed-in learner (bearer headers, id), with a session on `content_id` if given."""
    tokens = await signed_in(client, email)
    client.cookies.clear()
    user_id = await user_id_of(services, email)
    if content_id is not None:
        await start_session(services, user_id, content_id)
    return bearer(tokens), user_id


async def stored(services, content_id: uuid.UUID) -> tuple[float, int, float, int]:  # type: ignore[no-untyped-def]
    """(the item's average, count, the rows' average, count)."""
    async with services.db.transaction() as session:
        content = await session.get(Content, content_id)
        assert content is not None
        rows = (
            await session.execute(
                select(func.avg(ContentRating.rating), func.count()).where(
                    ContentRating.content_id == content_id
                )
            )
        ).one()
        return content.rating_average, content.rating_count, float(rows[0] or 0), rows[1]


async def owner_and_item(client, services, visibility: str = "public"):  # type: ignore[no-untyped-def]
    owner_headers, owner_id = await learner(client, services, "owner@example.com")
    content_id, concepts = await make_content(
        services, owner_id, ["Mean", "Variance"], title="Statistics", visibility=visibility
    )
    return owner_headers, owner_id, content_id


async def test_rate_edit_delete_and_the_aggregate(client, services):
    owner, owner_id, content_id = await owner_and_item(client, services)
    ann, _ = await learner(client, services, "ann@example.com", content_id)
    bob, _ = await learner(client, services, "bob@example.com", content_id)
    url = f"/api/v1/content/{content_id}/rating"

    first = await client.put(url, json={"rating": 4, "review": "Clear."}, headers=ann)
    assert first.status_code == 201, first.text
    assert first.json()["rating_average"] == 4.0 and first.json()["rating_count"] == 1
    edited = await client.put(
        url, json={"rating": 2, "review": "On reflection, thin."}, headers=ann
    )
    assert edited.status_code == 200
    assert edited.json()["rating"] == 2 and edited.json()["rating_count"] == 1
    assert (await client.put(url, json={"rating": 5}, headers=bob)).status_code == 201
    assert await stored(services, content_id) == (3.5, 2, 3.5, 2)

    reviews = (await client.get(f"/api/v1/content/{content_id}/reviews", headers=ann)).json()
    assert reviews["total"] == 2 and reviews["rating_average"] == 3.5
    assert [r["rating"] for r in reviews["items"]] == [5, 2]  # newest first
    assert reviews["items"][1]["mine"] and reviews["items"][1]["review"] == "On reflection, thin."

    deleted = await client.delete(url, headers=ann)
    assert deleted.status_code == 200
    assert deleted.json() == {
        "content_id": str(content_id),
        "rating_average": 5.0,
        "rating_count": 1,
    }
    assert (await client.delete(url, headers=ann)).status_code == 200  # nothing left: still fine
    assert await stored(services, content_id) == (5.0, 1, 5.0, 1)
    assert (await client.delete(url, headers=bob)).status_code == 200
    assert await stored(services, content_id) == (0.0, 0, 0.0, 0)


async def test_who_may_rate(client, services):
    owner, owner_id, content_id = await owner_and_item(client, services, visibility="shared")
    body = {"rating": 5}
    url = f"/api/v1/content/{content_id}/rating"
    # The owner, even after a session of their own.
    await start_session(services, owner_id, content_id)
    response = await client.put(url, json=body, headers=owner)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    # A learner who may not read the item (a session left from a grant now revoked): 404.
    eve, eve_id = await learner(client, services, "eve@example.com", content_id)
    async with services.db.transaction() as session:
        session.add(
            ContentAccess(
                content_id=content_id,
                user_id=eve_id,
                access_type="shared",
                revoked_at=utcnow() - timedelta(minutes=1),
            )
        )
    response = await client.put(url, json=body, headers=eve)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert (
        await client.get(f"/api/v1/content/{content_id}/reviews", headers=eve)
    ).status_code == 404
    # An unknown item: the same 404.
    missing = await client.put(f"/api/v1/content/{uuid.uuid4()}/rating", json=body, headers=eve)
    assert missing.status_code == 404
    # Invited but never studied: 403 not_studied; after a session: allowed.
    ann, ann_id = await learner(client, services, "ann@example.com")
    async with services.db.transaction() as session:
        session.add(ContentAccess(content_id=content_id, user_id=ann_id, access_type="shared"))
    response = await client.put(url, json=body, headers=ann)
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_studied"
    await start_session(services, ann_id, content_id)
    assert (await client.put(url, json=body, headers=ann)).status_code == 201
    # Signed out: 401.
    assert (await client.put(url, json=body)).status_code == 401
    assert await stored(services, content_id) == (5.0, 1, 5.0, 1)


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": -1},
        {"rating": "4"},
        {"rating": 4.5},
        {"rating": True},
        {},
        {"rating": 3, "review": "x" * 2001},
        {"rating": 3, "review": 12},
    ],
)
async def test_bad_ratings_are_422_in_the_error_shape(client, services, body):
    _, _, content_id = await owner_and_item(client, services)
    ann, _ = await learner(client, services, "ann@example.com", content_id)
    response = await client.put(f"/api/v1/content/{content_id}/rating", json=body, headers=ann)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert await stored(services, content_id) == (0.0, 0, 0.0, 0)


async def test_a_review_of_2000_characters_and_html_kept_as_text(client, services):
    _, _, content_id = await owner_and_item(client, services)
    ann, _ = await learner(client, services, "ann@example.com", content_id)
    url = f"/api/v1/content/{content_id}/rating"
    assert (await client.put(url, json={"rating": 3, "review": "y" * 2000}, headers=ann)).is_success
    evil = '<script>alert("x")</script><b>bold</b>'
    response = await client.put(url, json={"rating": 3, "review": f"  {evil}  "}, headers=ann)
    assert response.json()["review"] == evil  # stored as typed (trimmed), escaped when shown
    empty = await client.put(url, json={"rating": 3, "review": "   "}, headers=ann)
    assert empty.json()["review"] is None


async def test_reviews_paginate_newest_first_and_guests_read_listed_ones(client, services):
    _, _, content_id = await owner_and_item(client, services)
    for n in range(7):
        headers, _ = await learner(client, services, f"l{n}@example.com", content_id)
        body = {"rating": 1 + n % 5, "review": f"review {n}"}
        response = await client.put(
            f"/api/v1/content/{content_id}/rating", json=body, headers=headers
        )
        assert response.status_code == 201
    url = f"/api/v1/content/{content_id}/reviews"
    first = (await client.get(url, params={"per_page": 3})).json()  # a guest
    assert first["total"] == 7 and first["page"] == 1 and first["per_page"] == 3
    assert [r["review"] for r in first["items"]] == ["review 6", "review 5", "review 4"]
    last = (await client.get(url, params={"per_page": 3, "page": 3})).json()
    assert [r["review"] for r in last["items"]] == ["review 0"]
    assert not any(r["mine"] for r in last["items"])
    assert (await client.get(url, params={"per_page": 51})).status_code == 422
    assert (await client.get(url, params={"page": 0})).status_code == 422
    assert all(set(r) == {"rating", "review", "author", "created_at", "updated_at", "mine"}
               for r in first["items"])  # fmt: skip


async def test_guests_never_see_reviews_of_unlisted_items(client, services):
    for visibility in ("private", "shared"):
        _, _, content_id = await make_owner_item(client, services, visibility)
        response = await client.get(f"/api/v1/content/{content_id}/reviews")
        assert response.status_code == 404
        client.cookies.clear()


async def make_owner_item(client, services, visibility):  # type: ignore[no-untyped-def]
    email = f"owner-{visibility}@example.com"
    headers, owner_id = await learner(client, services, email)
    content_id, _ = await make_content(services, owner_id, ["Mean"], visibility=visibility)
    return headers, owner_id, content_id


@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
async def test_twenty_concurrent_ratings_leave_the_aggregate_exact(app, services):
    """20 learners rate the same item at once, each in its own request and transaction on
    its own connection: the average and count equal the rows exactly (no lost update)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        _, _, content_id = await owner_and_item(setup, services)
    learners = []
    for n in range(20):  # each from its own address: sign-ups are rate-limited per address
        own = httpx.ASGITransport(app=app, client=(f"10.0.0.{n + 1}", 50000))
        async with httpx.AsyncClient(transport=own, base_url="http://testserver") as c:
            headers, _ = await learner(c, services, f"c{n}@example.com", content_id)
            learners.append(headers)

    async def rate(n: int, headers: dict[str, str]) -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            body = {"rating": 1 + n % 5, "review": f"r{n}"}
            response = await c.put(
                f"/api/v1/content/{content_id}/rating", json=body, headers=headers
            )
            return response.status_code

    statuses = await asyncio.gather(*(rate(n, h) for n, h in enumerate(learners)))
    assert statuses == [201] * 20
    average, count, rows_average, rows_count = await stored(services, content_id)
    assert count == rows_count == 20
    assert average == rows_average == sum(1 + n % 5 for n in range(20)) / 20

    # And again, all at once, every one changing their rating and half removing it.
    async def change(n: int, headers: dict[str, str]) -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            url = f"/api/v1/content/{content_id}/rating"
            if n % 2:
                return (await c.delete(url, headers=headers)).status_code
            return (await c.put(url, json={"rating": 5}, headers=headers)).status_code

    assert set(await asyncio.gather(*(change(n, h) for n, h in enumerate(learners)))) == {200}
    assert await stored(services, content_id) == (5.0, 10, 5.0, 10)


async def test_the_content_page_rating_form(client, services):
    _, owner_id, content_id = await owner_and_item(client, services)
    await sign_in_page(client, "owner@example.com")
    # The owner sees no rating form, even with a session of their own.
    await start_session(services, owner_id, content_id)
    page = html(await client.get(f"/content/{content_id}"))
    assert page.css_first("[data-rate]") is None
    client.cookies.clear()

    await signed_in(client, "ann@example.com")
    client.cookies.clear()
    await sign_in_page(client, "ann@example.com")
    page = html(await client.get(f"/content/{content_id}"))
    assert page.css_first("[data-rate]") is None  # no session yet
    await start_session(services, await user_id_of(services, "ann@example.com"), content_id)
    page = html(await client.get(f"/content/{content_id}"))
    assert page.css_first("[data-rate]") is not None
    token = csrf_of(page)

    evil = "<img src=x onerror=alert(1)>"
    too_long = await client.post(
        f"/content/{content_id}/rating",
        data={"csrf_token": token, "rating": "4", "review": "z" * 2001},
    )
    assert too_long.status_code == 400
    refused = html(too_long)
    assert refused.css_first("#review-error") is not None
    assert refused.css_first("textarea#review").text() == "z" * 2001  # what was typed stays
    no_stars = await client.post(
        f"/content/{content_id}/rating", data={"csrf_token": token, "review": "fine"}
    )
    assert no_stars.status_code == 400 and html(no_stars).css_first("#rating-error") is not None

    saved = await client.post(
        f"/content/{content_id}/rating", data={"csrf_token": token, "rating": "4", "review": evil}
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith(
        f"/content/{content_id}"
    )
    page = await client.get(f"/content/{content_id}")
    assert evil not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "checked" in html(page).css_first("input[name=rating][value='4']").attributes
    assert await stored(services, content_id) == (4.0, 1, 4.0, 1)
    without_token = await client.post(f"/content/{content_id}/rating", data={"rating": "5"})
    assert without_token.status_code == 403  # CSRF, as every page form
    removed = await client.post(f"/content/{content_id}/rating/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    assert await stored(services, content_id) == (0.0, 0, 0.0, 0)
