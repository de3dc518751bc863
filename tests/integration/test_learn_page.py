"""The learn page's server side: after "Continue" everything the page shows follows the
concept being taught; "Next concept" continues in map order from the learner's choice;
private answers are never cached."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import bearer, register
from tests.integration.test_content import processed, upload
from tests.integration.test_pages import html, sign_in_page
from tests.integration.test_sessions import act

COURSE = Path(__file__).parents[1] / "fakes" / "six_concepts.md"
INFLATION = (
    "Inflation is the rise of prices over time. When prices rise by 3 percent a year, cash buys "
    "less each year, so savings earning less than inflation lose value in real terms. The real "
    "return is the return minus inflation, and central banks aim for about 2 percent."
)


async def six_concepts(client, services):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    tokens = {"access_token": client.cookies["lo_access"]}
    r = await upload(client, tokens, "course.md", COURSE.read_bytes(), title="Saving")
    content_id = r.json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    course = (await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))).json()
    return tokens, content_id, course["concepts"]


async def test_next_concept_continues_from_the_chosen_one_and_the_page_follows(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, concepts = await six_concepts(client, services)
    third, fourth = concepts[2], concepts[3]
    started = await client.post(
        "/api/v1/session/start",
        headers=bearer(tokens),
        json={"content_id": content_id, "concept_id": third["id"]},
    )
    sid = started.json()["id"]
    await act(client, tokens, sid, "start")
    # The tutor's "- " lines are a real list, not literal dashes in a paragraph.
    tutor = html(await client.get(f"/learn/{content_id}")).css_first("#conversation article")
    assert len(tutor.css(".rich ul > li")) >= 2
    assert not any(p.text().lstrip().startswith("- ") for p in tutor.css(".rich p"))
    view = await act(client, tokens, sid, "answer", INFLATION)
    assert view["new_messages"][-1]["evaluation"]["decision"] == "proceed"
    view = await act(client, tokens, sid, "continue")
    assert view["concept"]["title"] == fourth["title"]  # not back to the first concept

    # The page's update after "Continue": title, concept card, milestone and notes panel.
    panel = await client.get(
        f"/learn/{content_id}/panel", params={"shown": third["id"]}, headers={"HX-Request": "true"}
    )
    doc = html(panel)
    assert doc.css_first("h1#learn-title[hx-swap-oob]").text() == fourth["title"]
    card = doc.css_first("#concept-panel[hx-swap-oob]")
    assert card.attributes["data-concept-id"] == fourth["id"]
    assert fourth["title"] in card.css_first("[aria-current=step]").text()
    notes = doc.css_first("#notes-panel[hx-swap-oob]")
    assert notes.css_first("input[name=concept_id]").attributes["value"] == fourth["id"]
    assert fourth["title"] in notes.css_first("label[for=note]").text()
    # Nothing about concept 3 stays: its skip offer, its adaptation lines, its confidence.
    text = doc.css_first("#conversation").parent.text()
    assert "You explained “Inflation”" not in text and "Skip the easy concepts" not in text
    assert doc.css_first("[data-concept-confidence]") is None

    # The page already showing concept 4 keeps its notes panel (a note may be being typed).
    same = html(
        await client.get(
            f"/learn/{content_id}/panel",
            params={"shown": fourth["id"]},
            headers={"HX-Request": "true"},
        )
    )
    assert same.css_first("#notes-panel") is None


async def test_private_answers_are_never_cached(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, _ = await six_concepts(client, services)
    for path in ("/dashboard", f"/content/{content_id}", f"/learn/{content_id}", "/progress"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store", path
    api = await client.get("/api/v1/me", headers=bearer(tokens))
    assert api.headers["cache-control"] == "no-store"
    client.cookies.clear()
    assert (await client.get("/api/v1/health")).headers.get("cache-control") == "no-store"
    public = await client.get("/login")
    assert "cache-control" not in public.headers  # a signed-out page may be cached
    assert "no-store" not in (await client.get("/static/dist/app.css")).headers.get(
        "cache-control", ""
    )
    signed_in = await sign_in_page(client)
    assert signed_in.headers["cache-control"] == "no-store"  # the answer that signs one in


PENSIONS = (
    "A pension is money saved during a working life so that you can live on it after "
    "retirement. Employers and governments often add to what the worker pays in, and the money "
    "is invested for decades. Because of compound interest, contributions made in the twenties "
    "count far more than those made in the fifties, so starting early matters."
)


async def test_the_page_says_why_when_the_coach_goes_elsewhere(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, concepts = await six_concepts(client, services)
    last = concepts[-1]
    started = await client.post(
        "/api/v1/session/start",
        headers=bearer(tokens),
        json={"content_id": content_id, "concept_id": last["id"]},
    )
    sid = started.json()["id"]
    await act(client, tokens, sid, "start")
    view = await act(client, tokens, sid, "answer", PENSIONS)
    assert view["new_messages"][-1]["evaluation"]["decision"] == "proceed"
    view = await act(client, tokens, sid, "continue")
    # Nothing comes after the last concept: back to the first one not done, and why.
    assert view["concept"]["id"] == concepts[0]["id"]
    [detour] = [a for a in view["adaptations"] if a["kind"] == "back_to_skipped"]
    assert detour["concept_id"] == concepts[0]["id"]
    page = html(await client.get(f"/learn/{content_id}"))
    text = page.css_first("#session-panel").text()
    assert f"You have done the concepts after “{last['title']}”" in text


COMPOUND = (
    "Compound interest is interest earned on earlier interest. If you invest 100 dollars at 10 "
    "percent a year, after one year you have 110 dollars and after two years 121 dollars, because "
    "the second year's interest is paid on 110 dollars. The longer money compounds, the faster it "
    "grows, and the rule of 72 estimates the doubling time."
)


async def start_on(client, tokens, content_id, concept):  # type: ignore[no-untyped-def]
    r = await client.post(
        "/api/v1/session/start",
        headers=bearer(tokens),
        json={"content_id": content_id, "concept_id": concept["id"]},
    )
    return r.json()["id"]


async def test_a_due_review_comes_first_says_why_and_the_path_resumes(client, services):  # type: ignore[no-untyped-def]
    import uuid
    from datetime import timedelta

    from sqlalchemy import update

    from learningos.kit.db import utcnow
    from learningos.models.learning import ConceptProgress

    tokens, content_id, concepts = await six_concepts(client, services)
    second, third, fourth = concepts[1], concepts[2], concepts[3]
    sid = await start_on(client, tokens, content_id, second)
    await act(client, tokens, sid, "start")
    await act(client, tokens, sid, "answer", COMPOUND)
    await act(client, tokens, sid, "end")
    async with services.db.transaction() as session:  # concept 2 is due for review now
        await session.execute(
            update(ConceptProgress)
            .where(ConceptProgress.concept_id == uuid.UUID(second["id"]))
            .values(due_at=utcnow() - timedelta(hours=1))
        )

    sid = await start_on(client, tokens, content_id, third)
    await act(client, tokens, sid, "start")
    await act(client, tokens, sid, "answer", INFLATION)
    view = await act(client, tokens, sid, "continue")
    assert view["concept"]["id"] == second["id"]
    [why] = [a for a in view["adaptations"] if a["kind"] == "due_review"]
    assert why["reason"] == (
        f"“{second['title']}” is due for review today, so it comes first; "
        f"then you go on with “{fourth['title']}”."
    )
    page = html(await client.get(f"/learn/{content_id}"))
    assert why["reason"] in page.css_first("#session-panel").text()

    view = await act(client, tokens, sid, "answer", COMPOUND)
    assert view["new_messages"][-1]["evaluation"]["decision"] == "proceed"
    view = await act(client, tokens, sid, "continue")
    assert view["concept"]["id"] == fourth["id"]  # back on the path it was heading
