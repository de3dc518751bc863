"""Session rules the service keeps for the API and the pages alike: one open session per
material, and a session changed while the AI was answering is a conflict that keeps nothing of
the action but the usage of the AI call (which was paid for)."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from learningos.ai.gateway import AIGateway, build_providers
from learningos.models import AIUsage, Interaction
from tests.conftest import bearer, eventually, make_settings
from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.openai_server import FakeOpenAI, delay, reply
from tests.integration.test_sessions import GOOD, act, new_session


async def test_one_open_session_per_material_through_the_api(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, first = await new_session(client, services)
    r = await client.post(
        "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["details"]["session_id"] == first["id"]
    assert "end it" in error["message"]

    await act(client, tokens, first["id"], "pause")  # a paused session is still open
    r = await client.post(
        "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
    )
    assert r.status_code == 409, r.text

    assert (await act(client, tokens, first["id"], "end"))["state"] == "complete"
    r = await client.post(
        "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] != first["id"]


async def test_a_change_while_the_examiner_answers_is_a_conflict(
    client,  # type: ignore[no-untyped-def]
    services,
    fake_openai: FakeOpenAI,  # noqa: F811
):
    tokens, _, started = await new_session(client, services)
    sid = started["id"]
    await act(client, tokens, sid, "start")

    verdict = {"confidence": 0.8, "feedback": "Good.", "gaps": []}
    fake_openai.default = delay(1.5, reply(json.dumps(verdict)))
    settings = make_settings(
        services.settings.data_dir,
        services.settings.resolved_database_url,
        services.settings.redis_url,
        openai_api_key="test-key",
        openai_base_url=fake_openai.base_url,
        ai_routing={"examiner": ["openai:gpt-test"]},
        ai_max_retries=0,
    )
    gateway = AIGateway(settings, build_providers(settings), services.index.embedder)
    kept, services.ai = services.ai, gateway
    try:
        answer = asyncio.ensure_future(act(client, tokens, sid, "answer", GOOD, status=409))

        async def examiner_asked() -> bool:
            return len(fake_openai.requests) == 1

        await eventually(examiner_asked)
        # Another tab pauses the session meanwhile: it is not kept waiting by the answer.
        paused = await asyncio.wait_for(act(client, tokens, sid, "pause"), timeout=1.0)
        assert paused["state"] == "paused"
        conflict = await answer
    finally:
        services.ai = kept
        await gateway.aclose()

    assert conflict["error"]["details"] == {"session_id": sid}
    view = (await client.get(f"/api/v1/session/{sid}", headers=bearer(tokens))).json()
    assert view["state"] == "paused"
    assert [m["role"] for m in view["messages"]] == ["tutor"], "nothing of the answer is kept"
    async with services.db.transaction() as session:
        examined = (
            await session.scalars(select(Interaction).where(Interaction.role == "examiner"))
        ).all()
        usage = (await session.scalars(select(AIUsage).where(AIUsage.role == "examiner"))).all()
    assert examined == []
    assert [(u.provider, u.interaction_id) for u in usage] == [("openai", None)]
