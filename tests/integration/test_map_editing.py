"""The owner controls the learning map: rename, describe, hide, reorder, add, split, merge and
prerequisites, through the JSON API and the editor page; progress and notes follow."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

import learningos.demo
from learningos.models.jobs import Job
from learningos.models.learning import ConceptProgress, UserNote
from tests.conftest import bearer, eventually, login, register, signed_in
from tests.integration.test_content import processed
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_progress import add_progress, make_content

COURSE = Path(learningos.demo.__file__).with_name("course.md")  # 8 sections, 8 concepts


async def _run_queued(services, name: str) -> None:  # type: ignore[no-untyped-def]
    """In the Redis run no worker listens here: run the queued jobs in this process."""
    if not services.settings.redis_url:
        return
    async with services.db.transaction() as session:
        ids = list(
            await session.scalars(select(Job.id).where(Job.name == name, Job.status == "queued"))
        )
    for job_id in ids:
        await services.queue.run(job_id)


async def _map(client, tokens, content_id):  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    return response.json()


async def test_rename_hide_reorder_and_add_through_the_api(client, services):
    tokens = await signed_in(client)
    owner = uuid.UUID(tokens["user"]["id"])
    content_id, (mean, variance, effect) = await make_content(
        services, owner, ["Mean", "Variance", "Effect size"]
    )
    auth = bearer(tokens)
    renamed = await client.patch(
        f"/api/v1/concepts/{mean}", json={"title": "The  mean", "description": "An average."},
        headers=auth,
    )  # fmt: skip
    assert renamed.status_code == 200 and renamed.json()["title"] == "The mean"
    taken = await client.patch(
        f"/api/v1/concepts/{variance}", json={"title": "the MEAN"}, headers=auth
    )
    assert taken.status_code == 409

    hidden = await client.patch(f"/api/v1/concepts/{effect}", json={"hidden": True}, headers=auth)
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert [c["title"] for c in (await _map(client, tokens, content_id))["concepts"]] == [
        "The mean", "Variance",
    ]  # fmt: skip

    moved = await client.post(
        f"/api/v1/concepts/{variance}/move", json={"position": 0}, headers=auth
    )
    assert moved.status_code == 200
    added = await client.post(
        f"/api/v1/content/{content_id}/concepts",
        json={"title": "Standard deviation", "after": str(variance)},
        headers=auth,
    )
    assert added.status_code == 201, added.text
    titles = [c["title"] for c in (await _map(client, tokens, content_id))["concepts"]]
    assert titles == ["Variance", "Standard deviation", "The mean"]


async def test_prerequisites_stay_in_the_map_and_never_loop(client, services):
    tokens = await signed_in(client)
    owner = uuid.UUID(tokens["user"]["id"])
    content_id, (mean, variance, effect) = await make_content(
        services, owner, ["Mean", "Variance", "Effect size"]
    )
    auth = bearer(tokens)
    url = "/api/v1/concepts/{}"
    ok = await client.patch(
        url.format(effect), json={"prerequisites": [str(variance), str(mean)]}, headers=auth
    )
    assert ok.status_code == 200 and ok.json()["prerequisites"] == [str(variance), str(mean)]
    await client.patch(url.format(variance), json={"prerequisites": [str(mean)]}, headers=auth)
    loop = await client.patch(url.format(mean), json={"prerequisites": [str(effect)]}, headers=auth)
    assert loop.status_code == 422 and "loop" in loop.json()["error"]["message"]
    itself = await client.patch(url.format(mean), json={"prerequisites": [str(mean)]}, headers=auth)
    assert itself.status_code == 422
    foreign = await client.patch(
        url.format(mean), json={"prerequisites": [str(uuid.uuid4())]}, headers=auth
    )
    assert foreign.status_code == 404


async def test_a_merge_moves_progress_and_notes_to_the_concept_that_stays(client, services):
    tokens = await signed_in(client)
    owner = uuid.UUID(tokens["user"]["id"])
    content_id, (mean, average, variance) = await make_content(
        services, owner, ["Mean", "Average", "Variance"]
    )
    await add_progress(
        services, owner, content_id, mean, status="in_progress", attempts=1,
        time_spent_seconds=60,
        confidence_history=[{"at": "2026-12-01T10:00:00", "confidence": 0.4}],
    )  # fmt: skip
    await add_progress(
        services, owner, content_id, average, status="in_progress", attempts=2,
        time_spent_seconds=120,
        confidence_history=[{"at": "2026-12-02T10:00:00", "confidence": 0.7}],
    )  # fmt: skip
    async with services.db.transaction() as session:
        session.add(
            UserNote(user_id=owner, content_id=content_id, concept_id=average,
                     concept_title="Average", content="Sum divided by count.")
        )  # fmt: skip
    await client.patch(
        f"/api/v1/concepts/{variance}", json={"prerequisites": [str(average)]},
        headers=bearer(tokens),
    )  # fmt: skip

    merged = await client.post(
        f"/api/v1/concepts/{average}/merge", json={"into": str(mean)}, headers=bearer(tokens)
    )
    assert merged.status_code == 200, merged.text
    concepts = (await _map(client, tokens, content_id))["concepts"]
    assert [c["title"] for c in concepts] == ["Mean", "Variance"]
    assert concepts[1]["prerequisites"] == [str(mean)]
    async with services.db.transaction() as session:
        progress = list(
            await session.scalars(select(ConceptProgress).where(ConceptProgress.user_id == owner))
        )
        note = await session.scalar(select(UserNote).where(UserNote.user_id == owner))
    assert [(p.concept_id, p.attempts, p.time_spent_seconds) for p in progress] == [(mean, 3, 180)]
    assert [e["confidence"] for e in progress[0].confidence_history] == [0.4, 0.7]
    assert note is not None and note.concept_id == mean


async def test_only_the_owner_edits_and_a_stranger_cannot_see_the_map(client, services):
    tokens = await signed_in(client)
    owner = uuid.UUID(tokens["user"]["id"])
    content_id, (mean,) = await make_content(services, owner, ["Mean"], visibility="public")
    await register(client, email="bob@example.com")
    bob = await login(client, email="bob@example.com")
    reader = await client.patch(
        f"/api/v1/concepts/{mean}", json={"title": "X"}, headers=bearer(bob)
    )
    assert reader.status_code == 403  # bob can read a public item but not edit it
    private_id, (other,) = await make_content(services, owner, ["Other"], title="Private")
    stranger = await client.patch(
        f"/api/v1/concepts/{other}", json={"title": "X"}, headers=bearer(bob)
    )
    assert stranger.status_code == 404
    last = await client.patch(
        f"/api/v1/concepts/{mean}", json={"hidden": True}, headers=bearer(tokens)
    )
    assert last.status_code == 409  # the map keeps at least one visible concept


async def test_the_editor_page_applies_each_change_and_shows_a_refusal_in_place(client, services):
    await register(client)
    await sign_in_page(client)
    me = (await client.get("/api/v1/me")).json()
    content_id, (mean, variance) = await make_content(
        services, uuid.UUID(me["id"]), ["Mean", "Variance"]
    )
    page = html(await client.get(f"/content/{content_id}"))
    edit_link = page.css_first(f'a[href$="/content/{content_id}/map/edit"]')
    assert edit_link is not None
    editor = html(await client.get(f"/content/{content_id}/map/edit"))
    csrf = csrf_of(editor)
    assert len(editor.css("[data-concept]")) == 2
    url = f"/content/{content_id}/map/edit"

    async def post(**data):  # type: ignore[no-untyped-def]
        return await client.post(url, data={"csrf_token": csrf, **data})

    saved = await post(
        action="save", concept_id=str(variance), title="Spread",
        description="How far values lie from the mean.", prerequisites=str(mean),
    )  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#concept-{variance}")
    assert (await post(action="up", concept_id=str(variance))).status_code == 303
    assert (await post(action="split", concept_id=str(mean), title="Median")).status_code == 303
    assert (await post(action="add", title="Mode")).status_code == 303
    editor = html(await client.get(url))
    titles = [
        i.attributes["value"] for i in editor.css('[data-concept] input[name="title"][value]')
    ]
    assert titles == ["Spread", "Mean", "Median", "Mode"]
    assert "Learning map updated." in editor.body.text()

    refused = await post(action="save", concept_id=str(mean), title="spread", description="")
    assert refused.status_code == 400
    assert "already has a concept called" in html(refused).css_first("[data-form-error]").text()
    no_csrf = await client.post(url, data={"action": "add", "title": "Nope"})
    assert no_csrf.status_code == 403


async def test_regenerate_with_fewer_concepts_shows_the_changes_before_replacing(client, services):
    await register(client)
    await sign_in_page(client)
    tokens = {"access_token": client.cookies["lo_access"]}
    made = await client.post(
        "/api/v1/content/upload", headers=bearer(tokens),
        files={"file": ("course.md", COURSE.read_bytes())},
    )  # fmt: skip
    content_id = made.json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    before = [c["title"] for c in (await _map(client, tokens, content_id))["concepts"]]
    url = f"/content/{content_id}/map/edit"
    csrf = csrf_of(html(await client.get(url)))
    asked = await client.post(
        url, data={"csrf_token": csrf, "action": "regenerate", "granularity": "fewer"}
    )
    assert asked.status_code == 303
    await _run_queued(services, "learning.generate_map")

    async def map_job_done():  # type: ignore[no-untyped-def]
        draft = await client.get(f"/api/v1/content/{content_id}/map/draft", headers=bearer(tokens))
        return draft if draft.status_code == 200 else None

    draft = (await eventually(map_job_done, timeout=60)).json()
    assert draft["granularity"] == "fewer"
    assert len(draft["kept"]) + len(draft["added"]) < len(before)  # fewer, broader concepts
    assert set(draft["removed"]) <= set(before) and draft["removed"]
    # Nothing changed yet: the map is the old one until the owner replaces it.
    assert [c["title"] for c in (await _map(client, tokens, content_id))["concepts"]] == before
    editor = html(await client.get(url))
    assert editor.css_first("[data-draft]") is not None
    assert len(editor.css('[data-change="removed"] li')) == len(draft["removed"])

    replaced = await client.post(url, data={"csrf_token": csrf, "action": "draft_apply"})
    assert replaced.status_code == 303
    after = [c["title"] for c in (await _map(client, tokens, content_id))["concepts"]]
    assert sorted(after) == sorted(draft["kept"] + draft["added"])
    gone = await client.get(f"/api/v1/content/{content_id}/map/draft", headers=bearer(tokens))
    assert gone.status_code == 404
