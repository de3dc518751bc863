"""Discover and the learner's lists: full-text search over title, description and category
(SQLite FTS5 / PostgreSQL full-text), filters, every order, pages with a total, guests; never
a private or shared item; bad parameters answer 422 in the one error shape."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from learningos.discover import popularity
from learningos.kit.db import utcnow
from learningos.models.catalogue import LibraryEntry
from learningos.models.content import Content, ContentAccess
from learningos.models.learning import LearningSession, SessionStatus
from tests.conftest import bearer, signed_in
from tests.integration.test_progress import user_id_of

URL = "/api/v1/content/discover"


async def make_item(services, owner_id, title: str, **values) -> uuid.UUID:  # type: ignore[no-untyped-def]
    values = {"status": "ready", "visibility": "public", "type": "markdown", **values}
    async with services.db.transaction() as session:
        content = Content(user_id=owner_id, title=title, **values)
        session.add(content)
        await session.flush()
        return content.id


async def owner(client, services, email: str = "owner@example.com"):  # type: ignore[no-untyped-def]
    headers = bearer(await signed_in(client, email))
    return headers, await user_id_of(services, email)


async def sessions_on(services, content_id, learners, days_ago: float = 1) -> None:  # type: ignore[no-untyped-def]
    when = utcnow() - timedelta(days=days_ago)
    async with services.db.transaction() as session:
        for user_id in learners:
            # Completed: a learner may have several finished sessions, only one open.
            row = LearningSession(
                user_id=user_id, content_id=content_id, status=SessionStatus.COMPLETED
            )
            session.add(row)
            await session.flush()
            await session.execute(
                update(LearningSession)
                .where(LearningSession.id == row.id)
                .values(updated_at=when, created_at=when)
                .execution_options(synchronize_session=False)
            )


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_search_by_title_description_and_category(client, services):
    _, owner_id = await owner(client, services)
    await make_item(services, owner_id, "Photosynthesis explained", category="science")
    await make_item(
        services, owner_id, "Plants", description="How chlorophyll captures light energy."
    )
    await make_item(services, owner_id, "Ledgers", category="business", description="Accounts")
    await make_item(services, owner_id, "Hidden photosynthesis notes", visibility="private")
    await make_item(services, owner_id, "Shared photosynthesis", visibility="shared")
    await make_item(services, owner_id, "Unfinished photosynthesis", status="processing")

    assert titles(await client.get(URL, params={"q": "photosynthesis"})) == [
        "Photosynthesis explained"
    ]
    assert titles(await client.get(URL, params={"q": "chlorophyll light"})) == ["Plants"]
    # Stemming: "captured" finds "captures".
    assert titles(await client.get(URL, params={"q": "captured"})) == ["Plants"]
    assert titles(await client.get(URL, params={"q": "business"})) == ["Ledgers"]
    assert titles(await client.get(URL, params={"q": "nothing-like-this"})) == []
    # Punctuation only, quotes, FTS syntax: never an error.
    for odd in ['"', "*", "AND OR", "photo)", "'; drop table contents; --"]:
        response = await client.get(URL, params={"q": odd})
        assert response.status_code == 200, (odd, response.text)
    # A renamed item is found under its new title only (the index follows every save).
    item = await make_item(services, owner_id, "Old name")
    async with services.db.transaction() as session:
        (await session.get(Content, item)).title = "Thermodynamics"
    assert titles(await client.get(URL, params={"q": "thermodynamics"})) == ["Thermodynamics"]
    assert titles(await client.get(URL, params={"q": "old name"})) == []
    async with services.db.transaction() as session:
        await session.delete(await session.get(Content, item))
    assert titles(await client.get(URL, params={"q": "thermodynamics"})) == []


async def test_only_listed_items_and_what_a_card_holds(client, services):
    _, owner_id = await owner(client, services)
    public = await make_item(
        services, owner_id, "Open", description="<b>bold</b> " + "word " * 200, category="arts"
    )
    await make_item(services, owner_id, "Priced", visibility="paid", price_cents=499)
    await make_item(services, owner_id, "Platform", visibility="private", is_platform_content=True)
    await make_item(services, owner_id, "Mine alone", visibility="private")
    await make_item(services, owner_id, "For friends", visibility="shared")
    await make_item(services, owner_id, "Failed", status="error")

    response = await client.get(URL, params={"sort": "new"})  # a guest
    body = response.json()
    assert sorted(titles(response)) == ["Open", "Platform", "Priced"]
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    assert body["pages"] == 1
    card = next(i for i in body["items"] if i["title"] == "Open")
    assert card["id"] == str(public) and card["author_name"] == "Ann Lee"
    assert card["url"] == f"/c/{public}" and card["cover_url"] is None
    assert card["category"] == "arts" and card["category_label"] == "Arts and design"
    assert card["is_free"] and card["price_label"] == "FREE" and card["price_cents"] == 0
    assert len(card["description"]) < 260 and card["description"].endswith("…")
    priced = next(i for i in body["items"] if i["title"] == "Priced")
    assert priced["price_label"] == "$4.99" and not priced["is_free"]
    assert "raw_text" not in card and "visibility" not in card
    # Signed in, the same list.
    headers, _ = await owner(client, services, "reader@example.com")
    assert sorted(titles(await client.get(URL, params={"sort": "new"}, headers=headers))) == [
        "Open", "Platform", "Priced",
    ]  # fmt: skip
    # A slug, when set, is the listing's address.
    async with services.db.transaction() as session:
        (await session.get(Content, public)).slug = "open-material"
    items = (await client.get(URL, params={"q": "open"})).json()["items"]
    assert items[0]["url"] == "/c/open-material"


async def test_filters(client, services):
    _, owner_id = await owner(client, services)
    await make_item(services, owner_id, "Free maths", category="mathematics")
    await make_item(services, owner_id, "Paid maths", category="mathematics", visibility="paid",
                    price_cents=999)  # fmt: skip
    await make_item(services, owner_id, "Platform history", category="humanities",
                    is_platform_content=True)  # fmt: skip

    def names(response) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(titles(response))

    assert names(await client.get(URL, params={"kind": "free"})) == [
        "Free maths", "Platform history",
    ]  # fmt: skip
    assert names(await client.get(URL, params={"kind": "paid"})) == ["Paid maths"]
    assert names(await client.get(URL, params={"kind": "platform"})) == ["Platform history"]
    assert names(await client.get(URL, params={"category": "mathematics"})) == [
        "Free maths", "Paid maths",
    ]  # fmt: skip
    both = {"category": "mathematics", "kind": "paid"}
    assert names(await client.get(URL, params=both)) == ["Paid maths"]
    assert names(await client.get(URL, params={"q": "maths", "kind": "free"})) == ["Free maths"]
    assert names(await client.get(URL, params={"category": "languages"})) == []


async def test_each_order(client, services):
    _, owner_id = await owner(client, services)
    now = utcnow()
    first = await make_item(services, owner_id, "First", price_cents=999, visibility="paid",
                            rating_average=4.0, rating_count=3,
                            created_at=now - timedelta(days=3))  # fmt: skip
    second = await make_item(services, owner_id, "Second", rating_average=4.0, rating_count=10,
                             created_at=now - timedelta(days=2))  # fmt: skip
    third = await make_item(services, owner_id, "Third", price_cents=199, visibility="paid",
                            rating_average=2.5, rating_count=2,
                            created_at=now - timedelta(days=1))  # fmt: skip
    learners = [await user_id_of(services, e) for e in ["owner@example.com"]]
    for i in range(3):
        _, uid = await owner(client, services, f"learner{i}@example.com")
        learners.append(uid)
    # Third: 3 distinct learners this week (one with two sessions); First: 1; Second: 4, but
    # all more than 7 days ago.
    await sessions_on(services, third, learners[:3])
    await sessions_on(services, third, learners[:1], days_ago=2)
    await sessions_on(services, first, learners[:1])
    await sessions_on(services, second, learners, days_ago=8)
    async with services.db.transaction() as session:
        assert await popularity.refresh(session) == 2
    async with services.db.transaction() as session:
        assert await popularity.refresh(session) == 0  # nothing changed since

    async def get(params):  # type: ignore[no-untyped-def]
        return titles(await client.get(URL, params=params))

    assert await get({"sort": "new"}) == ["Third", "Second", "First"]
    assert await get({"sort": "rating"}) == ["Second", "First", "Third"]
    assert await get({"sort": "price"}) == ["Second", "Third", "First"]
    assert await get({"sort": "popular"}) == ["Third", "First", "Second"]
    assert await get({}) == ["Third", "First", "Second"]  # popular by default
    popular = (await client.get(URL, params={"sort": "popular"})).json()["items"]
    assert [i["learners_this_week"] for i in popular] == [3, 1, 0]
    assert second and first


async def test_pages_and_total(client, services):
    _, owner_id = await owner(client, services)
    now = utcnow()
    for i in range(7):
        await make_item(services, owner_id, f"Item {i}", created_at=now - timedelta(hours=i))
    seen: list[str] = []
    for page in (1, 2, 3):
        response = await client.get(URL, params={"sort": "new", "per_page": 3, "page": page})
        body = response.json()
        assert body["total"] == 7 and body["pages"] == 3 and body["page"] == page
        seen += titles(response)
    assert seen == [f"Item {i}" for i in range(7)]
    beyond = await client.get(URL, params={"per_page": 3, "page": 9})
    assert titles(beyond) == [] and beyond.json()["total"] == 7


async def test_bad_parameters_are_422(client, services):
    bad = [
        {"sort": "cheapest"}, {"kind": "gratis"}, {"category": "astrology"}, {"page": 0},
        {"page": "two"}, {"per_page": 0}, {"per_page": 51}, {"q": "x" * 201},
    ]  # fmt: skip
    for params in bad:
        response = await client.get(URL, params=params)
        assert response.status_code == 422, (params, response.text)
        error = response.json()["error"]
        assert error["code"] and error["message"], params
    assert (await client.get(URL, params={"per_page": 50})).status_code == 200
    categories = (await client.get("/api/v1/content/categories")).json()
    assert {"value": "mathematics", "label": "Mathematics"} in categories


async def test_library_shared_and_platform_lists(client, services):
    headers, owner_id = await owner(client, services)
    reader, reader_id = await owner(client, services, "reader@example.com")
    mine = await make_item(services, reader_id, "My upload", visibility="private")
    public = await make_item(services, owner_id, "Public book")
    closing = await make_item(services, owner_id, "Soon private")
    shared = await make_item(services, owner_id, "Shared with reader", visibility="shared")
    expired = await make_item(services, owner_id, "Expired share", visibility="shared")
    platform = await make_item(services, owner_id, "Platform course", is_platform_content=True)
    now = utcnow()
    async with services.db.transaction() as session:
        for item in (public, closing):
            session.add(LibraryEntry(user_id=reader_id, content_id=item))
        session.add(ContentAccess(content_id=shared, user_id=reader_id, access_type="shared"))
        session.add(
            ContentAccess(
                content_id=expired, user_id=reader_id, access_type="shared",
                expires_at=now - timedelta(minutes=1),
            )
        )  # fmt: skip
        (await session.get(Content, closing)).visibility = "private"

    library = await client.get("/api/v1/content/library", headers=reader)
    assert library.status_code == 200, library.text
    body = library.json()
    assert body["total"] == 3
    rows = {i["title"]: i for i in body["items"]}
    assert set(rows) == {"My upload", "Public book", "Soon private"}
    assert rows["My upload"]["owned"] and rows["My upload"]["available"]
    assert rows["Public book"]["available"] and not rows["Public book"]["owned"]
    gone = rows["Soon private"]
    assert gone["available"] is False and gone["description"] is None
    assert str(mine) == rows["My upload"]["id"]

    shared_list = await client.get("/api/v1/content/shared", headers=reader)
    assert titles(shared_list) == ["Shared with reader"] and shared_list.json()["total"] == 1
    # Shared items of the owner are not "shared with" the owner.
    assert titles(await client.get("/api/v1/content/shared", headers=headers)) == []
    assert titles(await client.get("/api/v1/content/platform", headers=reader)) == [
        "Platform course"
    ]
    assert str(platform)
    page = await client.get("/api/v1/content/library", params={"per_page": 2}, headers=reader)
    assert len(page.json()["items"]) == 2 and page.json()["pages"] == 2
    for path in ("library", "shared", "platform"):
        assert (await client.get(f"/api/v1/content/{path}")).status_code == 401
        bad = await client.get(f"/api/v1/content/{path}", params={"page": 0}, headers=reader)
        assert bad.status_code == 422
