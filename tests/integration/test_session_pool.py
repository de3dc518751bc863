"""AI replies do not hold database connections (PostgreSQL only: the embedded SQLite engine has
no pool to exhaust).

A pool of 2 connections (plus 2 of overflow), an OpenAI-compatible provider that takes 3 s per
reply (the local fake over HTTP, so the real adapter runs), and 6 learners answering at once:
all 6 examiner (then coach) calls are pending together, every answer gets its replies, and a
`GET /api/v1/me` that needs the database answers within 200 ms while they are pending. (Probes
in the moments the replies arrive are reported, not judged: there the six answers are applied
at once on the test's single event loop, which is CPU, not the pool.)
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from learningos.ai.gateway import AIGateway, build_providers
from learningos.ai.types import ChatRequest
from learningos.auth.principal import KEY as USER_KEY
from learningos.auth.service import LIVE_FAMILY_KEY
from learningos.kit.db import Database
from learningos.kit.security import decode_access_token
from tests.conftest import PG_URL, bearer, make_settings, signed_in
from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.openai_server import FakeOpenAI, delay, reply
from tests.integration.test_learning_ai import ready_course
from tests.integration.test_sessions import GOOD, act

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL: set LEARNINGOS_TEST_DATABASE_URL"
)

LEARNERS = 6
AI_SECONDS = 3.0
ME_LIMIT_SECONDS = 0.2
# Valid for the examiner and for the coach (each reads its own fields).
VERDICT = json.dumps(
    {
        "confidence": 0.9,
        "feedback": "Right: interest is earned on earlier interest.",
        "gaps": [],
        "decision": "proceed",
        "reason": "The explanation is complete.",
    }
)


async def forget_sign_in(services, tokens) -> None:  # type: ignore[no-untyped-def]
    """Drop the cached user and sign-in, so the next request must read them from the database."""
    claims = decode_access_token(services.signing_secret, tokens["access_token"])
    await services.cache.delete(USER_KEY + str(claims.user_id))
    await services.cache.delete(LIVE_FAMILY_KEY + f"{claims.family_id}:{claims.user_id}")


async def test_slow_ai_replies_leave_the_pool_free(client, services, fake_openai: FakeOpenAI):  # type: ignore[no-untyped-def]  # noqa: F811
    learners = []
    for i in range(LEARNERS):
        tokens, content_id, _ = await ready_course(client, services, f"learner{i}@example.com")
        r = await client.post(
            "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
        )
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        assert (await act(client, tokens, sid, "start"))["state"] == "user_explain"
        learners.append((tokens, sid))
    observer_tokens = await signed_in(client, "observer@example.com")

    settings = make_settings(
        services.settings.data_dir,
        services.settings.resolved_database_url,
        services.settings.redis_url,
        database_pool_size=2,
        openai_api_key="test-key",
        openai_base_url=fake_openai.base_url,
        ai_routing={"examiner": ["openai:gpt-test"], "coach": ["openai:gpt-test"]},
        ai_max_retries=0,
    )
    small = Database(settings.resolved_database_url, settings.database_pool_size)
    small.after_commit = list(services.db.after_commit)
    gateway = AIGateway(settings, build_providers(settings), services.index.embedder)
    # The first call imports the provider's SDK (seconds, once per process): not measured here.
    hello = ChatRequest([{"role": "user", "content": "Hello"}], "gpt-test")
    await gateway.providers["openai"].complete(hello)
    fake_openai.default = delay(AI_SECONDS, reply(VERDICT))
    kept = services.db, services.ai
    services.db, services.ai = small, gateway
    probes: list[tuple[float, float]] = []  # (start, end) of each GET /me, monotonic
    try:
        began = time.monotonic()
        answers = asyncio.gather(
            *(act(client, tokens, sid, "answer", GOOD) for tokens, sid in learners)
        )
        task = asyncio.ensure_future(answers)
        while not task.done():
            await asyncio.sleep(0.2)
            await forget_sign_in(services, observer_tokens)
            started = time.monotonic()
            r = await client.get("/api/v1/me", headers=bearer(observer_tokens))
            probes.append((started, time.monotonic()))
            assert r.status_code == 200, r.text
        views = await task
        total = time.monotonic() - began
    finally:
        services.db, services.ai = kept
        await small.dispose()
        await gateway.aclose()

    asked = [request.received_at for request in fake_openai.requests[1:]]  # after the warm-up

    def waiting(at: float) -> int:
        """How many provider replies were pending at `at` (each takes AI_SECONDS)."""
        return sum(1 for r in asked if r <= at < r + AI_SECONDS)

    # While every learner waits on the AI; the moments in between are CPU, not the pool.
    meanwhile = [end - start for start, end in probes if waiting(start) == waiting(end) == LEARNERS]
    everything = [end - start for start, end in probes]
    print(
        f"\n{LEARNERS} answers with a {AI_SECONDS:g} s provider and a pool of 2: total "
        f"{total:.2f} s; GET /me while all {LEARNERS} waited on the AI: max "
        f"{max(meanwhile, default=0) * 1000:.0f} ms over {len(meanwhile)} calls (over all "
        f"{len(everything)} calls: max {max(everything) * 1000:.0f} ms)"
    )
    for view in views:
        examiner, coach = view["new_messages"]
        assert examiner["engine"] == coach["engine"] == "openai · gpt-test"
        assert view["state"] == "decide_next"
    assert len(asked) == 2 * LEARNERS
    assert max(waiting(r) for r in asked) == LEARNERS, "the pool did not queue the AI calls"
    assert len(meanwhile) >= 4, probes
    assert max(meanwhile) < ME_LIMIT_SECONDS, meanwhile
    # At once, not one after another (that takes 6 x 2 x 3 s = 36 s).
    assert total < 3 * 2 * AI_SECONDS, total
