"""A slow step holds no database transaction: the note feedback while the AI answers, the
processing job while it extracts, embeds and plans. Each reads what it needs, gives its
connection back, and applies its result in a short transaction that re-checks what it read."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.app import create_app
from learningos.models.jobs import Job
from learningos.services import Services
from tests.conftest import PG_URL, bearer, signed_in
from tests.integration.test_content import NOTES, processed, upload
from tests.integration.test_notes import one_concept, save


async def test_note_feedback_is_asked_outside_a_transaction_and_respects_a_save_meanwhile(
    client, services, monkeypatch
):
    tokens, _, concept = await one_concept(client, services)
    concept_id = concept["id"]
    first = await save(client, tokens, concept_id, "Interest earned on interest.")
    assert first.status_code == 201, first.text
    note_id = first.json()["id"]
    asked = services.ai.note_feedback
    open_while_asking: list[bool] = []
    other_tab: list[str] = []

    async def slow_feedback(inp, caller, session):  # type: ignore[no-untyped-def]
        open_while_asking.append(session.in_transaction())
        if other_tab:  # the first call of each round: another tab saves while the AI answers
            saved = await save(client, tokens, concept_id, other_tab.pop())
            assert saved.status_code == 201, saved.text
        return await asked(inp, caller, session)

    monkeypatch.setattr(services.ai, "note_feedback", slow_feedback)
    other_tab.append("Another tab's words on compounding.")
    stale = await client.put(
        f"/api/v1/notes/{note_id}",
        headers=bearer(tokens),
        json={"content": "An edit of version one.", "version": 1},
    )
    assert stale.status_code == 409, stale.text  # the note moved on while the AI answered
    assert stale.json()["error"]["details"]["current_version"] == 2

    other_tab.append("The other tab again.")
    auto = await save(client, tokens, concept_id, "Auto-saved while the other tab saved.")
    assert auto.status_code == 201, auto.text
    assert auto.json()["version"] == 4  # on top of the other tab's version 3
    assert auto.json()["ai_feedback"]["engine"] == "offline engine"
    detail = (await client.get(f"/api/v1/notes/{concept_id}", headers=bearer(tokens))).json()
    assert [v["version"] for v in detail["versions"]] == [4, 3, 2, 1]
    assert detail["content"] == "Auto-saved while the other tab saved."
    assert open_while_asking and not any(open_while_asking), open_while_asking


async def test_the_processing_job_holds_no_transaction_while_it_plans(
    client, services, monkeypatch
):
    plan = services.ai.plan
    open_while_planning: list[bool] = []

    async def watched(inp, caller, session):  # type: ignore[no-untyped-def]
        open_while_planning.append(session.in_transaction())
        return await plan(inp, caller, session)

    monkeypatch.setattr(services.ai, "plan", watched)
    tokens = await signed_in(client)
    made = await upload(client, tokens, "bio.md", NOTES)
    status = await processed(client, services, tokens, made.json()["content"]["id"])
    assert status["status"] == "ready"
    assert open_while_planning == [False]
    concepts = await client.get(
        f"/api/v1/content/{made.json()['content']['id']}/map", headers=bearer(tokens)
    )
    assert concepts.status_code == 200 and concepts.json()["concepts"]


@pytest.mark.skipif(not PG_URL, reason="a pool of two connections is a PostgreSQL setting")
async def test_slow_jobs_leave_the_pool_to_everyone_else(services, monkeypatch, tmp_path):
    """Two connections in all (pool 1 + overflow 1), three items planning for 3 s each at the
    same time: a request made meanwhile still answers at once. (`services` cleans the tables
    afterwards; this app has a data folder, so a local vector store, of its own.)"""
    small = services.settings.model_copy(update={"database_pool_size": 1, "data_dir": tmp_path})
    svc = Services.build(small)
    await svc.start()
    planning = asyncio.Event()
    inside: list[int] = []
    plan = svc.ai.plan

    async def slow_plan(inp, caller, session):  # type: ignore[no-untyped-def]
        inside.append(1)
        if len(inside) == 3:
            planning.set()
        await asyncio.sleep(3)
        return await plan(inp, caller, session)

    monkeypatch.setattr(svc.ai, "plan", slow_plan)
    application = create_app(small, svc)
    try:
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50001))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                tokens = await signed_in(c)
                ids = []
                for i in range(3):
                    made = await upload(c, tokens, f"n{i}.md", NOTES + str(i).encode())
                    assert made.status_code == 201, made.text
                    ids.append(made.json()["content"]["id"])
                runs = asyncio.gather(*(svc.queue.run(j) for j in await _jobs(svc, ids)))
                await asyncio.wait_for(planning.wait(), timeout=120)
                started = time.perf_counter()
                listing = await c.get("/api/v1/content", headers=bearer(tokens))
                waited = time.perf_counter() - started
                assert listing.status_code == 200 and len(listing.json()) == 3
                assert waited < 1.0, f"the listing waited {waited:.2f} s for a connection"
                await runs
                for content_id in ids:
                    assert (await processed(c, svc, tokens, content_id))["status"] == "ready"
    finally:
        await svc.queue.wait_idle(timeout=30)
        await svc.stop()


async def _jobs(svc: Services, content_ids: list[str]) -> list[uuid.UUID]:
    async with svc.db.transaction() as session:
        rows: list[Any] = list(
            await session.scalars(select(Job).where(Job.name == "content.process"))
        )
    return [r.id for r in rows if r.payload.get("content_id") in content_ids]


async def test_ask_and_the_weekly_report_hold_no_transaction_while_the_ai_answers(
    client, services, monkeypatch
):
    """ "Ask your material" and the weekly report read what they need, give the connection
    back, then call the AI: a slow provider never holds a database transaction."""
    from tests.integration.test_sessions import GOOD, act, new_session

    open_while_asking: dict[str, list[bool]] = {"tutor": [], "review": []}
    for role in open_while_asking:
        original = getattr(services.ai, role)

        async def watched(inp, caller, session, _role=role, _original=original):  # type: ignore[no-untyped-def]
            # A learning session's steps pass the Database itself (they hold no session).
            open_while_asking[_role].append(
                isinstance(session, AsyncSession) and session.in_transaction()
            )
            return await _original(inp, caller, session)

        monkeypatch.setattr(services.ai, role, watched)

    tokens, content_id, started = await new_session(client, services)
    open_while_asking["tutor"].clear()
    asked = await client.post(
        f"/api/v1/content/{content_id}/ask",
        headers=bearer(tokens),
        json={"question": "What is compound interest?"},
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["answer"]
    assert open_while_asking["tutor"] == [False]

    await act(client, tokens, started["id"], "start")
    await act(client, tokens, started["id"], "answer", GOOD)
    await act(client, tokens, started["id"], "end")
    open_while_asking["review"].clear()  # the session's own summary is not under test here
    weekly = await client.get("/api/v1/review/weekly", headers=bearer(tokens))
    assert weekly.status_code == 200, weekly.text
    assert weekly.json()["report"] and weekly.json()["due"] is not None
    assert open_while_asking["review"] == [False]
