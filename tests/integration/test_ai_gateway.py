"""The AI gateway end to end: the real OpenAI adapter against the local fake provider —
routing, fallback to the offline engine, repair, boundaries, cost records and budgets."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from learningos.ai.gateway import AIGateway, Caller, build_providers
from learningos.ai.inputs import (
    CoachInput,
    ConceptRef,
    ExaminerInput,
    Passage,
    PlannerInput,
    SectionInput,
    TutorInput,
)
from learningos.ai.schemas import ExaminerOutput
from learningos.kit.errors import AIBudgetExceeded
from learningos.models import AIUsage, User
from learningos.services import Services
from tests.conftest import make_settings
from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.openai_server import FakeOpenAI, delay, reply, status

CONCEPT = ConceptRef(
    title="Standard deviation",
    description="The standard deviation measures how spread out values are around the mean.",
)
PASSAGES = [
    Passage(
        text="The variance is the mean of the squared deviations from the mean. The standard "
        "deviation is the square root of the variance. For example, the heights of adults "
        "have a standard deviation of about 7 cm.",
        title="Variance",
        section_id=str(uuid.uuid4()),
        page_start=20,
        page_end=21,
    ),
    Passage(
        text="A small standard deviation means the values are close to the mean.",
        title="Spread",
        section_id=str(uuid.uuid4()),
        page_start=22,
        page_end=22,
    ),
]


@pytest.fixture
async def gateway(
    services: Services,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> AsyncIterator[AIGateway]:
    settings = make_settings(
        services.settings.data_dir,
        services.settings.resolved_database_url,
        None,
        openai_api_key="test-key",
        openai_base_url=fake_openai.base_url,
        deepseek_api_key="test-key",
        deepseek_base_url=fake_openai.base_url,
        embedding_provider="local",
        ai_max_retries=0,
        ai_timeout_seconds=1.0,
    )
    gw = AIGateway(settings, build_providers(settings), services.index.embedder)
    yield gw
    await gw.aclose()


async def make_user(services: Services, tier: str = "free") -> uuid.UUID:
    async with services.db.transaction() as session:
        user = User(email=f"{uuid.uuid4().hex}@example.com", name="Ann", password_hash="x")
        user.tier = tier
        session.add(user)
        await session.flush()
        return user.id


async def usage_rows(services: Services) -> list[AIUsage]:
    async with services.db.transaction() as session:
        return list(await session.scalars(select(AIUsage).order_by(AIUsage.created_at)))


def examiner_input(
    answer: str = "It tells how far values usually are from the mean.",
) -> ExaminerInput:
    return ExaminerInput(concept=CONCEPT, passages=PASSAGES, answer=answer, question="Explain it")


async def test_reference_routing_when_both_keys_exist(gateway: AIGateway) -> None:
    table = {role: [link.label for link in chain] for role, chain in gateway.table.items()}
    assert table["examiner"] == ["openai:gpt-4o", "deepseek:deepseek-chat", "offline"]
    assert table["planner"][0] == "openai:gpt-4o"
    assert table["tutor"] == ["deepseek:deepseek-chat", "openai:gpt-4o-mini", "offline"]
    assert table["coach"][0] == "deepseek:deepseek-chat"


async def test_examiner_reply_is_validated_bounded_and_costed(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    user_id = await make_user(services)
    body = {
        "confidence": 0.8,
        "feedback": "The explanation names spread around the mean. Great job, keep going!",
        "gaps": ["the link to the variance"],
    }
    fake_openai.enqueue(reply(json.dumps(body), prompt_tokens=1000, completion_tokens=100))
    async with services.db.transaction() as session:
        result = await gateway.examine(examiner_input(), Caller(user_id), session)
    assert result.output.confidence == 0.8
    assert "Great job" not in result.output.feedback
    assert "spread around the mean" in result.output.feedback
    assert result.usage.provider == "openai" and result.usage.model == "gpt-4o"
    assert result.usage.cost_usd == Decimal("0.006500")  # 1000 × $5/M + 100 × $15/M
    assert result.usage.prompt_id == "examiner" and result.usage.prompt_version == 1
    sent = fake_openai.last_request
    assert sent.json["response_format"] == {"type": "json_object"}
    assert sent.json["model"] == "gpt-4o"
    assert "far values usually are from the mean" in sent.messages[-1]["content"]
    [row] = await usage_rows(services)
    assert (row.user_id, row.role, row.ok, row.tokens_in, row.tokens_out) == (
        user_id,
        "examiner",
        True,
        1000,
        100,
    )
    assert row.cost_usd == Decimal("0.006500")


async def test_invalid_reply_gets_one_repair(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    good = {"confidence": 0.4, "feedback": "Misses the variance.", "gaps": ["variance"]}
    fake_openai.enqueue(
        reply("Sure! Here is my evaluation: confidence high", prompt_tokens=50),
        reply(json.dumps(good), prompt_tokens=70),
    )
    async with services.db.transaction() as session:
        result = await gateway.examine(examiner_input(), Caller(None), session)
    assert result.output.confidence == 0.4 and not result.usage.fallback
    assert result.usage.tokens_in == 120  # both turns are paid for
    repair = fake_openai.requests[1].messages
    assert repair[-2] == {
        "role": "assistant",
        "content": "Sure! Here is my evaluation: confidence high",
    }
    assert "JSON" in repair[-1]["content"]


async def test_fallback_chain_ends_with_the_offline_engine(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    user_id = await make_user(services)
    fake_openai.enqueue(
        reply("not json"), reply("still not json"),  # openai: invalid after one repair
        status(500),  # deepseek: server error (no retries configured)
    )  # fmt: skip
    async with services.db.transaction() as session:
        result = await gateway.examine(examiner_input(), Caller(user_id), session)
    assert result.offline and result.usage.fallback
    assert "openai:gpt-4o: invalid output after one repair" in (result.usage.fallback_reason or "")
    assert "deepseek:deepseek-chat: server_error" in (result.usage.fallback_reason or "")
    assert isinstance(result.output, ExaminerOutput) and 0 <= result.output.confidence <= 1
    assert result.usage.engine == "offline engine" and result.usage.cost_usd == 0
    assert result.usage.tokens_in > 0 and result.usage.tokens_out > 0  # counted locally
    rows = await usage_rows(services)
    assert [(r.provider, r.ok) for r in rows] == [
        ("openai", False),
        ("deepseek", False),
        ("offline", True),
    ]
    assert rows[0].tokens_in > 0  # the invalid replies were paid for
    assert rows[2].fallback and rows[2].prompt_version == 0


async def test_timeout_and_rate_limit_fall_through(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    body = {"confidence": 0.9, "feedback": "Complete.", "gaps": []}
    fake_openai.enqueue(delay(3.0), status(429), reply(json.dumps(body)))
    async with services.db.transaction() as session:
        first = await gateway.examine(examiner_input(), Caller(None), session)
    # openai timed out (1 s), deepseek was rate limited, the offline engine answered.
    assert first.offline
    assert "timeout" in (first.usage.fallback_reason or "")
    assert "rate_limited" in (first.usage.fallback_reason or "")


async def test_tutor_boundaries_and_citations(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    text = (
        "That's correct, well done! The standard deviation is the square root of the variance "
        "[1]. Why does that matter? Heights vary by about 7 cm [1]. What is a variance? "
        "How would you explain it to a friend?"
    )
    fake_openai.enqueue(reply(text))
    inp = TutorInput(concept=CONCEPT, passages=PASSAGES)
    async with services.db.transaction() as session:
        result = await gateway.tutor(inp, Caller(None), session)
    out = result.output
    assert result.usage.provider == "deepseek" and result.usage.model == "deepseek-chat"
    assert out.text.endswith("?") and out.text.count("?") == 1
    assert out.question == "How would you explain it to a friend?"
    assert "correct" not in out.text and "well done" not in out.text
    assert [c.title for c in out.citations] == ["Variance"]
    assert out.citations[0].page_start == 20


async def test_tutor_stream_yields_deltas_then_the_bounded_reply(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    fake_openai.enqueue(reply("Spread is measured by it [2]. What would change if it were 0?"))
    inp = TutorInput(concept=CONCEPT, passages=PASSAGES, turn=3)
    pieces = []
    async with services.db.transaction() as session:
        async for piece in gateway.stream_tutor(inp, Caller(None), session):
            pieces.append(piece)
    *deltas, final = pieces
    assert len(deltas) > 3 and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas).startswith("Spread is measured")
    assert final.output.question_kind == "what_if"
    assert final.usage.tokens_out > 0  # from the stream's usage chunk
    assert fake_openai.last_request.stream


async def test_tutor_stream_falls_back_to_offline(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    fake_openai.enqueue(status(503), status(503))
    inp = TutorInput(concept=CONCEPT, passages=PASSAGES)
    async with services.db.transaction() as session:
        pieces = [p async for p in gateway.stream_tutor(inp, Caller(None), session)]
    *deltas, final = pieces
    assert final.offline and final.usage.fallback
    assert "".join(deltas) == final.output.text
    assert final.output.text.endswith("?") and final.output.text.count("?") == 1


async def test_coach_decision_follows_thresholds(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    fake_openai.enqueue(reply(json.dumps({"decision": "proceed", "reason": "Fine.", "task": None})))
    evaluation = ExaminerOutput(confidence=0.6, feedback="Partly.", gaps=["the variance"])
    inp = CoachInput(concept=CONCEPT, passages=PASSAGES, evaluation=evaluation)
    async with services.db.transaction() as session:
        result = await gateway.coach(inp, Caller(None), session)
    assert result.output.decision == "practice"  # 0.5 <= 0.6 < 0.75
    assert result.output.task  # written by the offline coach when the model gave none


async def test_planner_maps_section_references(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    sections = [
        SectionInput(id="a", title="Means", text="The mean is the sum divided by n.", page_start=1),
        SectionInput(id="b", title="Spread", text="Variance and deviation.", page_start=3),
    ]
    plan = {
        "overview": "Two ideas.",
        "milestones": [{"title": "Basics"}],
        "concepts": [
            {"title": "Mean", "difficulty": 1, "estimated_minutes": 10, "source_sections": ["S1"]},
            {
                "title": "Spread",
                "difficulty": 7,  # out of range: invalid, repaired below
                "estimated_minutes": 15,
                "source_sections": ["S2"],
                "prerequisites": ["Mean", "Calculus"],
            },
        ],
    }
    fixed = json.loads(json.dumps(plan))
    fixed["concepts"][1]["difficulty"] = 3
    fake_openai.enqueue(reply(json.dumps(plan)), reply(json.dumps(fixed)))
    async with services.db.transaction() as session:
        result = await gateway.plan(PlannerInput("Stats", sections), Caller(None), session)
    mean, spread = result.output.concepts
    assert (mean.source_sections, spread.source_sections) == (["a"], ["b"])
    assert spread.prerequisites == ["Mean"]  # an unknown prerequisite is dropped
    assert spread.page_start == 3
    assert "difficulty" in fake_openai.requests[1].messages[-1]["content"]


async def test_money_budget_is_checked_before_a_paid_call(
    services: Services,
    gateway: AIGateway,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    user_id = await make_user(services)
    async with services.db.transaction() as session:
        session.add(
            AIUsage(user_id=user_id, role="tutor", provider="openai", model="gpt-4o",
                    cost_usd=Decimal("0.10"))
        )  # fmt: skip
    with pytest.raises(AIBudgetExceeded) as caught:
        async with services.db.transaction() as session:
            await gateway.examine(examiner_input(), Caller(user_id), session)
    assert caught.value.details["period"] == "day"
    assert "free plan" in caught.value.message
    assert fake_openai.requests == []  # refused before any call
    subscriber = await make_user(services, tier="subscriber")
    async with services.db.transaction() as session:
        session.add(
            AIUsage(user_id=subscriber, role="tutor", provider="openai", model="gpt-4o",
                    cost_usd=Decimal("0.10"))
        )  # fmt: skip
    fake_openai.enqueue(reply(json.dumps({"confidence": 1, "feedback": "Complete.", "gaps": []})))
    async with services.db.transaction() as session:
        result = await gateway.examine(examiner_input(), Caller(subscriber, "subscriber"), session)
    assert result.usage.provider == "openai"


async def test_daily_call_cap_applies_to_the_offline_engine(services: Services) -> None:
    settings = make_settings(
        services.settings.data_dir, services.settings.resolved_database_url, None,
        ai_calls_free_daily=2,
    )  # fmt: skip
    gw = AIGateway(settings, {}, services.index.embedder)
    user_id = await make_user(services)
    for _ in range(2):
        async with services.db.transaction() as session:
            result = await gw.examine(examiner_input(), Caller(user_id), session)
            assert result.offline
    with pytest.raises(AIBudgetExceeded) as caught:
        async with services.db.transaction() as session:
            await gw.examine(examiner_input(), Caller(user_id), session)
    assert caught.value.details["limit_calls"] == 2
    assert int(caught.value.headers["Retry-After"]) > 0


async def test_ab_prompt_versions_are_sticky_per_learner(
    services: Services,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    settings = make_settings(
        services.settings.data_dir, services.settings.resolved_database_url, None,
        deepseek_api_key="test-key", deepseek_base_url=fake_openai.base_url,
        embedding_provider="local", ai_prompt_weights={"tutor": {1: 0.5, 2: 0.5}},
    )  # fmt: skip
    gw = AIGateway(settings, build_providers(settings), services.index.embedder)
    seen: dict[uuid.UUID, set[int]] = {}
    try:
        for _ in range(2):
            for n in range(8):
                learner = uuid.UUID(int=n + 1)
                fake_openai.enqueue(reply("It measures spread [1]. How would you use it?"))
                async with services.db.transaction() as session:
                    caller = Caller(learner, check_budget=False)
                    inp = TutorInput(concept=CONCEPT, passages=PASSAGES)
                    result = await gw.tutor(inp, caller, session)
                    session.expunge_all()  # learners that do not exist: keep no usage rows
                seen.setdefault(learner, set()).add(result.usage.prompt_version or 0)
    finally:
        await gw.aclose()
    assert all(len(versions) == 1 for versions in seen.values())  # sticky
    assert {v for versions in seen.values() for v in versions} == {1, 2}  # both in use
    system = fake_openai.requests[0].messages[0]["content"]
    assert "Tutor of Learning OS" in system
