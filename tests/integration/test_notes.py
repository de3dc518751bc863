"""Notes: versions with AI feedback, optimistic saves, full-text search on each database,
access rules, the AI allowance, the notes page and the session loop's context."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, text

from learningos.models import AIUsage
from learningos.models.learning import NoteVersion, UserNote
from learningos.notes import search as note_search
from learningos.notes import service as notes_service
from tests.conftest import bearer, register, signed_in
from tests.integration.test_content import processed, upload
from tests.integration.test_learning_ai import COURSE, ready_course
from tests.integration.test_pages import HTMX, html, sign_in_page

FINANCE = b"""# Budgeting

## Tracking spending

A budget starts with knowing where money goes. For one month, write down every payment, from
rent and groceries to small coffees and mobile top-ups. Group the payments into a few categories
such as housing, food, transport, family and fun. Most people are surprised by at least one
category: small daily purchases add up to large monthly sums. Tracking is not about guilt; it
shows which spending matches your priorities and which does not. A notebook works as well as an
app, as long as every payment is recorded on the day it happens. After a month, add up each
category and compare the totals with your income. The gap between income and spending is the
money you can direct on purpose instead of letting it disappear.

## The fifty thirty twenty rule

A simple way to plan spending is the fifty thirty twenty rule. Fifty percent of income after tax
goes to needs: housing, food, transport and bills that must be paid. Thirty percent goes to
wants: eating out, hobbies, travel and gifts. Twenty percent goes to the future: an emergency
fund first, then paying down debt and investing. The rule is a starting point rather than a law.
A student in a city with high rents may spend sixty percent on needs and must cut wants to keep
saving. What matters is that saving is planned at the start of the month, not left to whatever
remains at the end, because nothing usually remains.

# Growing money

## Compound interest

Compound interest is interest earned on earlier interest. If you invest 100 dollars at 10
percent a year, after one year you have 110 dollars, and after two years 121 dollars, because
the second year's interest is paid on 110 dollars rather than on 100. Over long periods the
effect becomes dramatic: at 7 percent a year, money doubles roughly every ten years, so a sum
left for forty years grows about sixteen times. The rule of 72 gives a quick estimate: divide 72
by the yearly rate to find the years needed to double. Compounding rewards starting early far
more than investing large amounts late, since time is the strongest part of the formula.

## Inflation

Inflation is the general rise of prices over time, which means each dollar buys a little less
every year. When prices rise by 3 percent a year, something that costs 100 dollars today costs
about 134 dollars in ten years. Money kept in cash therefore loses purchasing power even though
the number on the note stays the same. The real return of a saving or investment is its nominal
return minus inflation: a deposit paying 2 percent while prices rise 3 percent loses value in
real terms. Central banks try to keep inflation low and stable, often near two percent, by
raising interest rates when prices rise too fast.

# Managing risk

## Risk and return

Risk is the chance that an investment loses value or returns less than expected. Investments
with higher expected returns, such as shares, usually carry more risk than savings accounts or
government bonds. A share price can fall by a third in a bad year, while a savings account does
not fall. Investors accept this uncertainty only when they are paid for it with a higher
expected return over time. The right level of risk depends on the time horizon: money needed
next year should not be in volatile assets, while money for retirement in thirty years can ride
out several downturns and recover.

## Diversification

Diversification means spreading money across many investments so that one loss does not ruin the
whole portfolio. Because different companies, industries and countries rarely fall at the same
time, a diversified portfolio has less risk for the same expected return. An index fund that
holds hundreds of companies is a cheap way to diversify. Diversification cannot remove the risk
of the whole market falling, but it removes most of the risk that comes from any single company
failing. Holding only the shares of the company you work for is the opposite of diversification,
since your job and your savings then depend on the same business.
"""

NOTE = (
    "Compound interest is interest paid on earlier interest, so savings grow faster every "
    "year. For example, 100 dollars at 10 percent becomes 121 dollars after two years."
)


async def one_concept(client, services, email: str = "ann@example.com"):  # type: ignore[no-untyped-def]
    """A signed-in learner with the short course of test_learning_ai (one concept)."""
    tokens, content_id, _ = await ready_course(client, services, email)
    concepts = await concepts_of(client, tokens, content_id)
    return tokens, content_id, concepts[0]


async def three_concepts(client, services):  # type: ignore[no-untyped-def]
    """A signed-in learner with a processed course long enough for several concepts."""
    tokens = await signed_in(client)
    r = await upload(client, tokens, "finance.md", FINANCE, title="Personal finance")
    assert r.status_code == 201, r.text
    content_id = r.json()["content"]["id"]
    assert (await processed(client, services, tokens, content_id))["status"] == "ready"
    concepts = await concepts_of(client, tokens, content_id)
    assert len(concepts) >= 3, [c["title"] for c in concepts]
    return tokens, content_id, concepts


async def concepts_of(client, tokens, content_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    r = await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))
    assert r.status_code == 200, r.text
    return r.json()["concepts"]


async def save(client, tokens, concept_id: str, content: str):  # type: ignore[no-untyped-def]
    return await client.post(
        "/api/v1/notes",
        headers=bearer(tokens),
        json={"concept_id": concept_id, "content": content},
    )


async def search(client, tokens, q: str) -> list[dict]:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/notes/search", headers=bearer(tokens), params={"q": q})
    assert r.status_code == 200, r.text
    return r.json()["hits"]


async def count(services, model, **where) -> int:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def test_every_save_is_a_version_with_its_own_feedback(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    concept_id = concept["id"]
    r = await save(client, tokens, concept_id, "Interest on interest.")
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["version"] == 1 and first["concept_id"] == concept_id
    assert first["ai_feedback"]["engine"] == "offline engine"
    assert 0 <= first["ai_feedback"]["quality"] <= 1 and first["ai_feedback"]["summary"]

    again = await save(client, tokens, concept_id, "Interest on interest.")  # auto-save, no change
    assert again.status_code == 201 and again.json()["version"] == 1

    r = await client.put(
        f"/api/v1/notes/{first['id']}",
        headers=bearer(tokens),
        json={"content": NOTE, "version": 1},
    )
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["version"] == 2 and second["id"] == first["id"]
    assert second["ai_feedback"]["engine"] == "offline engine"

    stale = await client.put(
        f"/api/v1/notes/{first['id']}",
        headers=bearer(tokens),
        json={"content": "Written in an older tab.", "version": 1},
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and "another tab" in error["message"]
    assert error["details"]["current_version"] == 2

    same = await client.put(
        f"/api/v1/notes/{first['id']}", headers=bearer(tokens), json={"content": NOTE}
    )
    assert same.status_code == 200 and same.json()["version"] == 2

    r = await client.get(f"/api/v1/notes/{concept_id}", headers=bearer(tokens))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["content"] == NOTE and body["version"] == 2
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert [v["content"] for v in body["versions"]] == [NOTE, "Interest on interest."]
    assert all(v["ai_feedback"]["engine"] == "offline engine" for v in body["versions"])
    assert body["versions"][0]["ai_feedback"] == body["ai_feedback"]
    assert await count(services, UserNote) == 1
    assert await count(services, NoteVersion) == 2
    assert await count(services, AIUsage, role="notes") == 2  # identical saves cost nothing


async def test_an_empty_note_is_kept_and_told_to_start(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    missing = await client.get(f"/api/v1/notes/{concept['id']}", headers=bearer(tokens))
    assert missing.status_code == 404
    r = await save(client, tokens, concept["id"], "")
    assert r.status_code == 201, r.text
    feedback = r.json()["ai_feedback"]
    assert feedback["quality"] == 0 and any("Start" in s for s in feedback["suggestions"])
    r = await client.get(f"/api/v1/notes/{concept['id']}", headers=bearer(tokens))
    assert r.status_code == 200 and r.json()["content"] == ""


async def test_search_finds_ranks_and_stays_private(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, concepts = await three_concepts(client, services)
    strong = "Diversification: diversification spreads money. Diversification lowers risk."
    weak = (
        "Shares can fall by a third in a bad year, savings accounts do not fall, and "
        "diversification is one answer among several ways to handle that kind of loss."
    )
    for concept, content in zip(concepts, [strong, weak, NOTE], strict=False):
        assert (await save(client, tokens, concept["id"], content)).status_code == 201

    hits = await search(client, tokens, "diversification")
    assert [h["concept_id"] for h in hits] == [concepts[0]["id"], concepts[1]["id"]]
    assert hits[0]["content_id"] == content_id and hits[0]["content_title"]
    assert hits[0]["concept_title"] == concepts[0]["title"]
    assert "iversification" in hits[1]["snippet"] and hits[1]["updated_at"]
    # Stemming: another form of a word from the note, and every word required.
    assert [h["concept_id"] for h in await search(client, tokens, "compounding")] == [
        concepts[2]["id"]
    ]
    assert await search(client, tokens, "compound zebra") == []
    for q in ["", "   ", "!!!", '"', "(", "*", "NEAR", "a:b -c", 'x" OR "y', "--;'"]:
        assert await search(client, tokens, q) == [], q

    other = await signed_in_with_course(client, services, "bob@example.com")
    assert await search(client, other, "diversification") == []
    bob_concept = await first_concept(client, other)
    assert (await save(client, other, bob_concept, "My diversification note")).status_code == 201
    assert [h["concept_id"] for h in await search(client, other, "diversification")] == [
        bob_concept
    ]
    assert len(await search(client, tokens, "diversification")) == 2
    await assert_postgres_uses_the_index(services)


async def assert_postgres_uses_the_index(services) -> None:  # type: ignore[no-untyped-def]
    """The search query repeats the indexed expression, so PostgreSQL can use the GIN index."""
    async with services.db.transaction() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        query = select(UserNote.id).where(note_search.matches("diversification"))
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join((await session.execute(text(f"EXPLAIN {compiled}"))).scalars())
    assert note_search.PG_INDEX in plan, plan


async def signed_in_with_course(client, services, email: str) -> dict:  # type: ignore[no-untyped-def]
    tokens, _, _ = await ready_course(client, services, email)
    return tokens


async def first_concept(client, tokens) -> str:  # type: ignore[no-untyped-def]
    library = (await client.get("/api/v1/content", headers=bearer(tokens))).json()
    r = await client.get(f"/api/v1/content/{library[0]['id']}/map", headers=bearer(tokens))
    return r.json()["concepts"][0]["id"]


async def test_only_the_owner_reads_writes_or_deletes_a_note(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    concept_id = concept["id"]
    note = (await save(client, tokens, concept_id, NOTE)).json()
    other = await signed_in_with_course(client, services, "bob@example.com")
    h = bearer(other)
    assert (await client.get(f"/api/v1/notes/{concept_id}", headers=h)).status_code == 404
    r = await client.put(f"/api/v1/notes/{note['id']}", headers=h, json={"content": "mine"})
    assert r.status_code == 404
    assert (await client.delete(f"/api/v1/notes/{note['id']}", headers=h)).status_code == 404
    # Ann's content is private: Bob cannot write a note on its concepts either.
    r = await save(client, other, concept_id, "a note on someone else's material")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert (await save(client, other, str(uuid.uuid4()), "x")).status_code == 404
    assert (await client.get("/api/v1/notes", headers=h)).json() == []
    r = await client.get(f"/api/v1/notes/{concept_id}", headers=bearer(tokens))
    assert r.json()["content"] == NOTE and r.json()["version"] == 1
    assert (await client.get("/api/v1/notes")).status_code == 401


async def test_deleting_a_note_removes_versions_and_search_entry(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, concepts = await three_concepts(client, services)
    note = (await save(client, tokens, concepts[0]["id"], "Diversification first")).json()
    await client.put(
        f"/api/v1/notes/{note['id']}",
        headers=bearer(tokens),
        json={"content": "Diversification, second try"},
    )
    kept = (await save(client, tokens, concepts[1]["id"], "Risk and return")).json()
    assert len(await search(client, tokens, "diversification")) == 1
    r = await client.delete(f"/api/v1/notes/{note['id']}", headers=bearer(tokens))
    assert r.status_code == 204
    assert (
        await client.get(f"/api/v1/notes/{concepts[0]['id']}", headers=bearer(tokens))
    ).status_code == 404
    assert await search(client, tokens, "diversification") == []
    assert await count(services, NoteVersion, note_id=uuid.UUID(note["id"])) == 0
    assert await fts_rows(services) in (None, {kept["id"]})
    listed = (await client.get("/api/v1/notes", headers=bearer(tokens))).json()
    assert [n["id"] for n in listed] == [kept["id"]]
    assert listed[0]["content_id"] == content_id
    assert listed[0]["concept_title"] == concepts[1]["title"]
    assert listed[0]["content_title"] == "Personal finance"
    r = await client.get("/api/v1/notes", headers=bearer(tokens), params={"content_id": content_id})
    assert [n["id"] for n in r.json()] == [kept["id"]]
    r = await client.get(
        "/api/v1/notes", headers=bearer(tokens), params={"content_id": str(uuid.uuid4())}
    )
    assert r.status_code == 200 and r.json() == []
    # Deleting the content takes its notes, and their search entries, with it.
    assert (
        await client.delete(f"/api/v1/content/{content_id}", headers=bearer(tokens))
    ).status_code == 204
    assert await count(services, UserNote) == 0
    assert await fts_rows(services) in (None, set())


async def fts_rows(services) -> set[str] | None:  # type: ignore[no-untyped-def]
    """Note ids in the SQLite FTS5 table; None on PostgreSQL (no separate index rows)."""
    async with services.db.transaction() as session:
        if session.get_bind().dialect.name != "sqlite":
            return None
        rows = await session.execute(text("SELECT note_id FROM note_search"))
        return {str(uuid.UUID(r[0])) for r in rows}


async def use_up_allowance(client, services, tokens) -> None:  # type: ignore[no-untyped-def]
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    async with services.db.transaction() as session:
        session.add_all(
            AIUsage(user_id=uuid.UUID(me["id"]), role="tutor", provider="offline", model="x")
            for _ in range(services.settings.ai_calls_free_daily)
        )


async def test_a_used_up_ai_allowance_still_saves_the_note(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    await use_up_allowance(client, services, tokens)
    r = await save(client, tokens, concept["id"], NOTE)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"] == 1 and set(body["ai_feedback"]) == {"unavailable"}
    assert "AI replies" in body["ai_feedback"]["unavailable"]
    detail = (await client.get(f"/api/v1/notes/{concept['id']}", headers=bearer(tokens))).json()
    assert detail["content"] == NOTE and detail["versions"][0]["ai_feedback"] == body["ai_feedback"]


async def test_saves_at_the_same_moment_make_one_note(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    concept_id = concept["id"]
    # The allowance used up: no AI call, so the saves interleave on the database alone.
    # (Offline note feedback from several threads at once trips a shared stemmer.)
    await use_up_allowance(client, services, tokens)
    texts = ["First words", "First words, and more", "First words, and more still"]
    responses = await asyncio.gather(*(save(client, tokens, concept_id, t) for t in texts))
    assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
    assert await count(services, UserNote) == 1
    detail = (await client.get(f"/api/v1/notes/{concept_id}", headers=bearer(tokens))).json()
    assert sorted(v["content"] for v in detail["versions"]) == sorted(texts)
    assert [v["version"] for v in detail["versions"]] == [3, 2, 1]


async def test_notes_for_context_gives_the_current_note(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    user_id, concept_id = uuid.UUID(me["id"]), uuid.UUID(concept["id"])

    async def context(user: uuid.UUID = user_id) -> list[str]:
        async with services.db.transaction() as session:
            return await notes_service.notes_for_context(session, user, concept_id)

    assert await context() == []
    note = (await save(client, tokens, concept["id"], "old")).json()
    await client.put(f"/api/v1/notes/{note['id']}", headers=bearer(tokens), json={"content": NOTE})
    assert await context() == [NOTE]
    assert await context(uuid.uuid4()) == []
    await client.put(f"/api/v1/notes/{note['id']}", headers=bearer(tokens), json={"content": "  "})
    assert await context() == []


async def test_notes_page_empty_then_with_notes_and_search(client, services):  # type: ignore[no-untyped-def]
    signed_out = await client.get("/notes")
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/login?next=/notes"
    await register(client)
    await sign_in_page(client)
    empty = html(await client.get("/notes"))
    assert "Notes you write while learning appear here" in empty.body.text()
    assert empty.css_first('a[aria-current="page"][href="/notes"]') is not None
    assert not empty.css("script:not([src])") and not empty.css("[style]")

    tokens = {"access_token": client.cookies["lo_access"]}
    r = await upload(client, tokens, "course.md", COURSE, title="Saving and investing")
    content_id = r.json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    concept = (
        await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))
    ).json()["concepts"][0]
    assert (await save(client, tokens, concept["id"], NOTE)).status_code == 201

    doc = html(await client.get("/notes"))
    body = doc.body.text()
    assert concept["title"] in body and "Saving and investing" in body
    assert "Offline engine" in body and "Feedback" in body and "Quality" in body
    assert doc.css_first(f'a[href$="/content/{content_id}"]') is not None
    assert "appear here" not in body
    form = doc.css_first("form[role='search']")
    assert form.attributes["action"].endswith("/notes")
    assert form.attributes["hx-get"].endswith("/notes/search")
    assert not doc.css("script:not([src])") and not doc.css("[style]")

    fragment = await client.get("/notes/search", params={"q": "compounding"}, headers=HTMX)
    assert fragment.status_code == 200
    results = html(fragment)
    assert "1 note matches" in results.body.text() and concept["title"] in results.body.text()
    assert results.css_first("main") is None  # only the fragment
    nothing = html(await client.get("/notes/search", params={"q": "zebra"}, headers=HTMX))
    assert "No notes match" in nothing.body.text()
    blank = await client.get("/notes/search", params={"q": "!!!"}, headers=HTMX)
    assert blank.status_code == 200 and "No notes match" in blank.text

    no_js = html(await client.get("/notes", params={"q": "compounding"}))
    assert "1 note matches" in no_js.css_first("#note-results").text()
    partial = await client.get("/notes", headers=HTMX)
    assert partial.status_code == 200 and "<aside" not in partial.text
    assert concept["title"] in partial.text


async def test_notes_page_shows_only_the_learners_notes(client, services):  # type: ignore[no-untyped-def]
    tokens, _, concept = await one_concept(client, services)
    await save(client, tokens, concept["id"], NOTE)
    await register(client, email="bob@example.com")
    await sign_in_page(client, "bob@example.com")
    doc = html(await client.get("/notes"))
    assert "Notes you write while learning appear here" in doc.body.text()
    assert concept["title"] not in doc.body.text()
    fragment = await client.get("/notes/search", params={"q": "interest"}, headers=HTMX)
    assert "No notes match" in fragment.text


def _plan(concepts: list[dict]):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from learningos.ai.gateway import AIResult, Usage
    from learningos.ai.schemas import Milestone, PlannedConcept, PlannerOutput

    output = PlannerOutput(
        overview="A plan without one concept",
        milestones=[Milestone(title="All")],
        concepts=[
            PlannedConcept(title=c["title"], difficulty=c["difficulty"], estimated_minutes=5)
            for c in concepts
        ],
    )
    usage = Usage("offline", "offline", None, 0, 0, 0, Decimal(0), 0, False, None)
    return AIResult(output=output, usage=usage)


async def test_a_note_outlives_its_concept_and_comes_back_with_it(client, services):  # type: ignore[no-untyped-def]
    from learningos.learning.maps import store_map

    tokens, content_id, concepts = await three_concepts(client, services)
    target, others = concepts[1], concepts[:1] + concepts[2:]
    r = await save(client, tokens, target["id"], NOTE)
    assert r.status_code == 201, r.text
    note_id = r.json()["id"]

    async with services.db.transaction() as session:  # a map regenerated without it
        await store_map(session, uuid.UUID(content_id), _plan(others))
    titles = [c["title"] for c in await concepts_of(client, tokens, content_id)]
    assert target["title"] not in titles

    r = await client.get("/api/v1/notes", headers=bearer(tokens))
    (item,) = r.json()
    assert item["id"] == note_id and item["concept_id"] is None
    assert item["concept_title"] == target["title"] and item["content"] == NOTE
    assert [h["id"] for h in await search(client, tokens, "compound interest")] == [note_id]
    r = await client.put(f"/api/v1/notes/{note_id}", headers=bearer(tokens), json={"content": "x"})
    assert r.status_code == 409 and "no longer in the learning map" in r.json()["error"]["message"]
    await sign_in_page(client)
    page = html(await client.get("/notes")).body.text()
    assert "No longer in the map" in page and target["title"] in page

    async with services.db.transaction() as session:  # the concept comes back
        await store_map(session, uuid.UUID(content_id), _plan(concepts))
    back = {c["title"]: c["id"] for c in await concepts_of(client, tokens, content_id)}
    r = await client.get(f"/api/v1/notes/{back[target['title']]}", headers=bearer(tokens))
    assert r.status_code == 200 and r.json()["id"] == note_id
    assert [v["version"] for v in r.json()["versions"]] == [1]
