"""Learning maps built by the planner at the end of processing, free questions to the tutor,
AI budgets through the API, and prompt analytics."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from learningos.kit.db import utcnow
from learningos.models import AIUsage, Interaction, LearningSession, User
from tests.conftest import bearer, eventually, register, signed_in
from tests.integration.test_content import processed, upload
from tests.integration.test_pages import html, sign_in_page

COURSE = b"""# Saving and investing

Money kept for later can be saved or invested. Saving keeps money safe and available; investing
puts it to work so that it can grow, at the cost of risk.

## Compound interest

Compound interest is interest earned on earlier interest. If you invest 100 dollars at 10 percent
a year, after one year you have 110 dollars, and after two years 121 dollars, because the second
year's interest is paid on 110 dollars. The longer money compounds, the faster it grows.

## Risk and return

Risk is the chance that an investment loses value. Investments with higher expected returns,
such as shares, usually carry more risk than savings accounts. For example, a share price can
fall by a third in a bad year, while a savings account does not fall.

## Diversification

Diversification means spreading money across many investments so that one loss does not ruin
the whole. Because different shares rarely fall at the same time, a diversified portfolio has
less risk for the same expected return. Compound interest works best on a diversified portfolio
held for many years.
"""


async def ready_course(client, services, email: str = "ann@example.com"):  # type: ignore[no-untyped-def]
    tokens = await signed_in(client, email)
    r = await upload(client, tokens, "course.md", COURSE, title="Saving and investing")
    assert r.status_code == 201, r.text
    content_id = r.json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready", status
    return tokens, content_id, status


async def test_processing_ends_with_a_learning_map(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, status = await ready_course(client, services)
    assert [s["key"] for s in status["stages"]][-1] == "map"
    assert all(s["state"] == "done" for s in status["stages"])
    r = await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["generated_by"] == "offline engine"
    assert body["overview"] and body["milestones"]
    titles = [c["title"] for c in body["concepts"]]
    assert titles and len(titles) == len(set(titles))
    assert [c["order_index"] for c in body["concepts"]] == list(range(len(titles)))
    ids = [c["id"] for c in body["concepts"]]
    for i, concept in enumerate(body["concepts"]):
        assert 1 <= concept["difficulty"] <= 5
        assert set(concept["prerequisites"]) <= set(ids[:i])  # prerequisites come first
    other = await signed_in(client, "bob@example.com")
    r = await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(other))
    assert r.status_code == 404


async def test_regenerating_the_map_keeps_concept_identity(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, _ = await ready_course(client, services)
    before = (await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))).json()
    r = await client.post(
        "/api/v1/learning/generate-map", headers=bearer(tokens), json={"content_id": content_id}
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    if services.settings.redis_url:
        await services.queue.run(uuid.UUID(job_id))

    async def done():  # type: ignore[no-untyped-def]
        job = (await client.get(f"/api/v1/jobs/{job_id}", headers=bearer(tokens))).json()
        return job if job["status"] in ("done", "failed") else None

    assert (await eventually(done, timeout=60))["status"] == "done"
    after = (await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))).json()
    assert after["id"] == before["id"]
    assert {c["title"]: c["id"] for c in after["concepts"]} == {
        c["title"]: c["id"] for c in before["concepts"]
    }
    other = await signed_in(client, "bob@example.com")
    r = await client.post(
        "/api/v1/learning/generate-map", headers=bearer(other), json={"content_id": content_id}
    )
    assert r.status_code == 404


async def test_ask_answers_from_the_material_with_citations(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, _ = await ready_course(client, services)
    r = await client.post(
        f"/api/v1/content/{content_id}/ask",
        headers=bearer(tokens),
        json={"question": "Why does spreading money across many shares lower risk?"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"].endswith("?") and body["answer"].count("?") == 1
    assert body["citations"] and body["citations"][0]["title"]
    assert "diversif" in body["answer"].lower() or "rarely fall" in body["answer"]
    assert body["usage"]["engine"] == "offline engine" and body["usage"]["cost_usd"] == "0.000000"
    async with services.db.transaction() as session:
        rows = list(await session.scalars(select(AIUsage).where(AIUsage.role == "tutor")))
    assert len(rows) == 1 and rows[0].user_id is not None and rows[0].tokens_in > 0


async def test_ai_allowance_gives_a_clear_error(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, _ = await ready_course(client, services)
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    cap = services.settings.ai_calls_free_daily
    async with services.db.transaction() as session:
        session.add_all(
            AIUsage(user_id=uuid.UUID(me["id"]), role="tutor", provider="offline", model="x")
            for _ in range(cap)
        )
    r = await client.post(
        f"/api/v1/content/{content_id}/ask", headers=bearer(tokens), json={"question": "Risk?"}
    )
    assert r.status_code == 429
    error = r.json()["error"]
    assert error["code"] == "ai_budget_exceeded"
    assert f"limit of {cap} AI replies" in error["message"]
    assert int(r.headers["Retry-After"]) > 0


async def test_prompt_analytics_for_admins(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, _ = await ready_course(client, services)
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    r = await client.get("/api/v1/analytics/prompts", headers=bearer(tokens))
    assert r.status_code == 403
    async with services.db.transaction() as session:
        admin = await session.scalar(select(User).where(User.email == me["email"]))
        assert admin is not None
        admin.role = "admin"  # an ORM change: the cached user is dropped on commit
        learning = LearningSession(user_id=uuid.UUID(me["id"]), content_id=uuid.UUID(content_id))
        session.add(learning)
        await session.flush()
        start = utcnow()
        steps = [  # tutor v1 → 0.4 (confused) → tutor v2 → 0.8 (gain 0.4)
            ("tutor", 1, None),
            ("examiner", 1, 0.4),
            ("tutor", 2, None),
            ("examiner", 1, 0.8),
        ]
        for n, (role, version, confidence) in enumerate(steps):
            session.add(
                Interaction(
                    session_id=learning.id,
                    role=role,
                    prompt_id=role,
                    prompt_version=version,
                    evaluation={"confidence": confidence} if confidence is not None else None,
                    created_at=start + timedelta(seconds=n),
                )
            )
    r = await client.get("/api/v1/analytics/prompts", headers=bearer(tokens))
    assert r.status_code == 200, r.text
    rows = {(p["prompt_id"], p["version"]): p for p in r.json()["prompts"]}
    assert rows[("tutor", 1)]["confusion_rate"] == 1.0
    assert rows[("tutor", 2)]["confusion_rate"] == 0.0
    assert rows[("tutor", 2)]["avg_confidence_gain"] == 0.4
    assert rows[("examiner", 1)]["avg_confidence"] == 0.6
    assert rows[("planner", 0)]["calls"] == 1  # the offline planner built the map
    assert rows[("planner", 0)]["engine"] == "offline engine"
    r = await client.get("/api/v1/analytics/prompts/tutor?versions=1,2", headers=bearer(tokens))
    assert [v["version"] for v in r.json()["versions"]] == [1, 2]
    r = await client.get("/api/v1/analytics/prompts/poet", headers=bearer(tokens))
    assert r.status_code == 404
    status = (await client.get("/api/v1/ai/status", headers=bearer(tokens))).json()
    assert status["routing"]["tutor"] == ["offline"] and status["offline_engine"]["only_engine"]
    # The embedding model in use, as the vector index records it.
    assert status["offline_engine"]["embedding_model"] == "local/all-MiniLM-L6-v2-int8"


async def test_content_page_shows_the_map_and_answers_questions(client, services):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    csrf = client.cookies["lo_csrf"]
    tokens = {"access_token": client.cookies["lo_access"]}
    r = await upload(client, tokens, "course.md", COURSE, title="Saving and investing")
    content_id = r.json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    doc = html(await client.get(f"/content/{content_id}"))
    text = doc.body.text()
    assert "Learning map" in text and "Offline engine" in text
    assert "Milestone 1" in text
    form = doc.css_first("form[hx-post$='/ask']")
    assert form is not None and form.css_first("input[name='question']") is not None
    answer = await client.post(
        f"/content/{content_id}/ask",
        data={"csrf_token": csrf, "question": "What is compound interest?"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    fragment = html(answer).body.text()
    assert "Offline engine" in fragment and "interest" in fragment.lower()
    full = await client.post(
        f"/content/{content_id}/ask", data={"csrf_token": csrf, "question": "What is risk?"}
    )
    assert full.status_code == 200 and "Back to the material" in full.text
    refused = await client.post(f"/content/{content_id}/ask", data={"question": "Risk?"})
    assert refused.status_code == 403
