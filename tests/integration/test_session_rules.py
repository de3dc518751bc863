"""Session rules the service keeps for the API and the pages alike: one open session per
material, and a session changed while the AI was answering is a conflict that keeps nothing of
the action but the usage of the AI call (which was paid for)."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager

from sqlalchemy import select

from learningos.ai.gateway import AIGateway, build_providers
from learningos.models import AIUsage, Interaction, LearningSession
from learningos.models.learning import SessionStatus
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


async def test_starts_racing_on_one_material_open_one_session(client, services):  # type: ignore[no-untyped-def]
    """Ten starts at the same moment: the database's partial unique index lets one through and
    the others are the same 409 as a start after it, never a 500 or a second open session."""
    tokens, content_id, first = await new_session(client, services)
    assert (await act(client, tokens, first["id"], "end"))["state"] == "complete"

    async def start() -> int:
        r = await client.post(
            "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
        )
        assert r.status_code in (201, 409), r.text
        return r.status_code

    codes = await asyncio.gather(*(start() for _ in range(10)))
    assert sorted(codes) == [201] + [409] * 9
    async with services.db.scratch() as session:
        open_ = await session.scalars(
            select(LearningSession).where(
                LearningSession.content_id == uuid.UUID(content_id),
                LearningSession.status != SessionStatus.COMPLETED,
            )
        )
        assert len(open_.all()) == 1


@asynccontextmanager
async def slow_provider(services, fake: FakeOpenAI, role: str, text: str):  # type: ignore[no-untyped-def]
    """`role` answered by the fake OpenAI server after 1.5 s, through the real adapter."""
    fake.default = delay(1.5, reply(text))
    settings = make_settings(
        services.settings.data_dir,
        services.settings.resolved_database_url,
        services.settings.redis_url,
        openai_api_key="test-key",
        openai_base_url=fake.base_url,
        ai_routing={role: ["openai:gpt-test"]},
        ai_max_retries=0,
    )
    gateway = AIGateway(settings, build_providers(settings), services.index.embedder)
    kept, services.ai = services.ai, gateway
    try:
        yield
    finally:
        services.ai = kept
        await gateway.aclose()


async def provider_asked(fake: FakeOpenAI) -> None:
    async def asked() -> bool:
        return len(fake.requests) == 1

    await eventually(asked)


async def test_a_change_while_the_examiner_answers_is_a_conflict(
    client,  # type: ignore[no-untyped-def]
    services,
    fake_openai: FakeOpenAI,  # noqa: F811
):
    tokens, _, started = await new_session(client, services)
    sid = started["id"]
    await act(client, tokens, sid, "start")

    verdict = json.dumps({"confidence": 0.8, "feedback": "Good.", "gaps": []})
    async with slow_provider(services, fake_openai, "examiner", verdict):
        answer = asyncio.ensure_future(act(client, tokens, sid, "answer", GOOD, status=409))
        await provider_asked(fake_openai)
        # Another tab pauses the session meanwhile: it is not kept waiting by the answer.
        paused = await asyncio.wait_for(act(client, tokens, sid, "pause"), timeout=1.0)
        assert paused["state"] == "paused"
        conflict = await answer

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


async def test_the_tutor_stream_holds_no_transaction(
    client,  # type: ignore[no-untyped-def]
    services,
    fake_openai: FakeOpenAI,  # noqa: F811
):
    tokens, _, started = await new_session(client, services)
    sid = started["id"]
    await act(client, tokens, sid, "start")
    body = {"session_id": sid, "action": "ask", "message": "Why does it grow faster?"}

    async def ask() -> list[tuple[str | None, dict]]:
        events: list[tuple[str | None, dict]] = []
        async with client.stream(
            "POST", "/api/v1/session/interact/stream", headers=bearer(tokens), json=body
        ) as response:
            name = None
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
        return events

    async with slow_provider(services, fake_openai, "tutor", "Each year adds interest on more."):
        streamed = asyncio.ensure_future(ask())
        await provider_asked(fake_openai)
        paused = await asyncio.wait_for(act(client, tokens, sid, "pause"), timeout=1.0)
        assert paused["state"] == "paused"
        events = await streamed

    names = [n for n, _ in events]
    assert "delta" in names, "the tutor's reply was streamed"
    assert names[-1] == "error" and events[-1][1]["error"]["details"] == {"session_id": sid}
    view = (await client.get(f"/api/v1/session/{sid}", headers=bearer(tokens))).json()
    assert [m["role"] for m in view["messages"]] == ["tutor"]  # the question is not kept
