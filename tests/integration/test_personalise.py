"""Personalisation: the rules that read the learner's data, each adaptation stored with the
reason the learner sees, and the learner's settings (auto-review, fixed difficulty) honoured."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from learningos.kit.db import utcnow
from learningos.models import Concept, ConceptProgress, LearningMap, LearningSession, User
from learningos.models.learning import Adaptation, SessionStatus
from learningos.progress import rules
from learningos.services import Services
from learningos.sessions import personalise
from tests.conftest import bearer
from tests.integration.test_notes import three_concepts
from tests.integration.test_review import add_course, add_user


async def _session_on(services: Services, user: User, concept: Concept) -> LearningSession:
    async with services.db.transaction() as session:
        content_id = await session.scalar(
            select(LearningMap.content_id).where(LearningMap.id == concept.learning_map_id)
        )
        # One open session per learner and material: the previous one ends, as it would.
        await session.execute(
            update(LearningSession)
            .where(
                LearningSession.user_id == user.id,
                LearningSession.content_id == content_id,
                LearningSession.status != SessionStatus.COMPLETED,
            )
            .values(status=SessionStatus.COMPLETED)
        )
        ls = LearningSession(user_id=user.id, content_id=content_id, concept_id=concept.id)
        session.add(ls)
        await session.flush()
        return ls


async def _rules(
    services: Services,
    ls: LearningSession,
    concept: Concept,
    concepts: list[Concept],
    confidences: list[float],
    *,
    seconds: int = 0,
    adapt_difficulty: bool = True,
) -> list[Adaptation]:
    async with services.db.transaction() as session:
        progress = ConceptProgress(
            user_id=ls.user_id,
            concept_id=concept.id,
            content_id=ls.content_id,
            status="in_progress",
            attempts=len(confidences),
            confidence_history=[
                {"at": utcnow().isoformat(), "confidence": c, "session_id": str(ls.id)}
                for c in confidences
            ],
            time_spent_seconds=seconds,
        )
        session.add(progress)
        await session.flush()
        made = await personalise.after_evaluation(
            session, ls, concept, progress, concepts, set(), adapt_difficulty=adapt_difficulty
        )
        await session.flush()
        return made


async def _course(services: Services) -> tuple[User, list[Concept]]:
    user = await add_user(services, "Ann")
    concepts = await add_course(services, user, "Book", "Mean", "Median", "Mode", "Variance")
    async with services.db.transaction() as session:  # easy concepts in one milestone
        await session.execute(
            update(Concept)
            .where(Concept.id.in_([c.id for c in concepts]))
            .values(difficulty=1, milestone=0, estimated_minutes=5)
        )
    for c in concepts:
        c.difficulty, c.milestone, c.estimated_minutes = 1, 0, 5
    return user, concepts


async def test_repeated_low_confidence_slows_the_tutor_with_a_reason(services: Services) -> None:
    user, concepts = await _course(services)
    ls = await _session_on(services, user, concepts[0])
    assert await _rules(services, ls, concepts[0], concepts, [0.3]) == []
    async with services.db.transaction() as session:
        await session.execute(
            ConceptProgress.__table__.delete().where(ConceptProgress.user_id == user.id)
        )
    made = await _rules(services, ls, concepts[0], concepts, [0.3, 0.2])
    assert [a.kind for a in made] == ["slower_pace"]
    assert "slower with more examples" in made[0].reason and "Mean" in made[0].reason
    assert "below 50%" in made[0].reason  # percentages, as everywhere else
    async with services.db.transaction() as session:
        assert await personalise.slowed(session, user.id, concepts[0].id)


async def test_the_slower_pace_follows_the_one_low_line(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, concepts = await _course(services)
    ls = await _session_on(services, user, concepts[0])
    monkeypatch.setattr(rules, "LOW_BELOW", 0.6)
    made = await _rules(services, ls, concepts[0], concepts, [0.55, 0.58])
    assert [a.kind for a in made] == ["slower_pace"]
    assert "below 60%" in made[0].reason


async def test_a_strong_first_try_offers_to_skip_the_easy_rest(services: Services) -> None:
    user, concepts = await _course(services)
    ls = await _session_on(services, user, concepts[0])
    made = await _rules(services, ls, concepts[0], concepts, [0.95])
    assert [a.kind for a in made] == ["offer_skip"]
    assert made[0].details["titles"] == ["Median", "Mode", "Variance"]
    assert "95% on the first try" in made[0].reason


async def test_unusual_time_shortens_sessions(services: Services) -> None:
    user, concepts = await _course(services)
    ls = await _session_on(services, user, concepts[1])
    made = await _rules(services, ls, concepts[1], concepts, [0.6], seconds=15 * 60)
    assert [a.kind for a in made] == ["session_length"]
    assert "took 15 minutes against an estimate of 5" in made[0].reason


async def test_a_fixed_difficulty_keeps_pace_and_path(services: Services) -> None:
    user, concepts = await _course(services)
    ls = await _session_on(services, user, concepts[0])
    assert await _rules(services, ls, concepts[0], concepts, [0.95], adapt_difficulty=False) == []
    ls2 = await _session_on(services, user, concepts[2])
    assert (
        await _rules(services, ls2, concepts[2], concepts, [0.3, 0.2], adapt_difficulty=False) == []
    )
    assert personalise.adaptive(User(preferences={"difficulty": "adaptive"}))
    assert personalise.adaptive(User(preferences={}))  # adaptive unless chosen otherwise
    assert not personalise.adaptive(User(preferences={"difficulty": "fixed"}))


async def test_auto_review_starts_with_what_is_due_and_says_why(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, concepts = await three_concepts(client, services)
    due = concepts[2]
    async with services.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None
        session.add(
            ConceptProgress(
                user_id=user.id,
                concept_id=uuid.UUID(due["id"]),
                content_id=uuid.UUID(content_id),
                status="completed",
                attempts=1,
                confidence_history=[],
                last_confidence=0.8,
                due_at=utcnow() - timedelta(hours=1),
            )
        )

    async def start() -> dict:
        r = await client.post(
            "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
        )
        assert r.status_code == 201, r.text
        return r.json()

    started = await start()
    assert started["mode"] == "review" and started["concept"]["id"] == due["id"]
    [why] = [a for a in started["adaptations"] if a["kind"] == "review_first"]
    assert "due for review today" in why["reason"] and due["title"] in why["reason"]
    r = await client.post(
        "/api/v1/session/interact",
        headers=bearer(tokens),
        json={"session_id": started["id"], "action": "end"},
    )
    assert r.status_code == 200, r.text

    # With auto-review off, a learn session follows the map.
    async with services.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None
        user.preferences = {**user.preferences, "auto_review": False}
    plain = await start()
    assert plain["mode"] == "learn" and plain["concept"]["id"] == concepts[0]["id"]
    assert not [a for a in plain["adaptations"] if a["kind"] == "review_first"]
