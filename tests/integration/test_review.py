"""The review domain on a real database: the schedule by the learner's calendar, weak points,
the weekly report and a session's summary written by the (offline) Reviewer, and the concepts
a review session starts with. Another learner's data never shows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from learningos.models import (
    AIUsage,
    Concept,
    ConceptProgress,
    Content,
    Interaction,
    LearningMap,
    LearningSession,
    User,
)
from learningos.models.user import default_preferences
from learningos.review import service
from learningos.review.scheduler import apply_evaluation, card_of
from learningos.services import Services

# 17:00 in Phnom Penh (UTC+7): the learner's day ends at 17:00 UTC.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PHNOM_PENH = "Asia/Phnom_Penh"


async def add_user(services: Services, name: str, tz: str = PHNOM_PENH) -> User:
    async with services.db.transaction() as session:
        user = User(email=f"{uuid.uuid4().hex}@example.com", name=name, password_hash="x")
        user.preferences = {**default_preferences(), "timezone": tz}
        session.add(user)
        await session.flush()
        return user


async def add_course(services: Services, user: User, title: str, *concepts: str) -> list[Concept]:
    async with services.db.transaction() as session:
        content = Content(user_id=user.id, title=title, type="markdown", status="ready")
        session.add(content)
        await session.flush()
        learning_map = LearningMap(content_id=content.id)
        session.add(learning_map)
        await session.flush()
        rows = [
            Concept(learning_map_id=learning_map.id, title=name, order_index=n)
            for n, name in enumerate(concepts)
        ]
        session.add_all(rows)
        await session.flush()
        return rows


async def content_of(services: Services, concept: Concept) -> uuid.UUID:
    async with services.db.transaction() as session:
        content_id = await session.scalar(
            select(LearningMap.content_id).where(LearningMap.id == concept.learning_map_id)
        )
        assert content_id is not None
        return content_id


async def evaluate(
    services: Services,
    user: User,
    concept: Concept,
    *evaluations: tuple[datetime, float],
    gaps: tuple[str, ...] = (),
    due_at: datetime | None = None,
) -> ConceptProgress:
    """A progress row as the learning loop leaves it after these examiner evaluations."""
    row = ConceptProgress(
        user_id=user.id,
        concept_id=concept.id,
        content_id=await content_of(services, concept),
        status="in_progress",
        attempts=0,
        confidence_history=[],
        gaps=list(gaps),
    )
    for at, confidence in evaluations:
        apply_evaluation(row, confidence, at, services.settings.review_rating_bounds)
        entry = {"at": at.isoformat(), "confidence": confidence, "session_id": "s"}
        row.confidence_history = [*row.confidence_history, entry]
        row.last_confidence = confidence
        row.attempts += 1
    if due_at is not None:
        row.due_at = due_at
    async with services.db.transaction() as session:
        session.add(row)
    return row


async def add_session(
    services: Services,
    user: User,
    concept: Concept | None,
    created_at: datetime,
    *,
    seconds: int = 0,
    completed_at: datetime | None = None,
    last_activity_at: datetime | None = None,
    summary: dict | None = None,
) -> LearningSession:
    async with services.db.transaction() as session:
        row = LearningSession(
            user_id=user.id,
            concept_id=concept.id if concept else None,
            content_id=await content_of(services, concept) if concept else None,
            status="completed" if completed_at else "paused",
            state="complete" if completed_at else "explain",
            time_spent_seconds=seconds,
            completed_at=completed_at,
            last_activity_at=last_activity_at or completed_at or created_at,
            summary=summary,
            created_at=created_at,
        )
        session.add(row)
        await session.flush()
        return row


async def add_steps(
    services: Services,
    learning_session: LearningSession,
    *steps: tuple[datetime, Concept, str, float | None, list[str]],
) -> None:
    """Interactions: (time, concept, role, examiner confidence, examiner gaps)."""
    async with services.db.transaction() as session:
        for at, concept, role, confidence, gaps in steps:
            evaluation = None
            if confidence is not None:
                evaluation = {"confidence": confidence, "feedback": "…", "gaps": gaps}
            session.add(
                Interaction(
                    session_id=learning_session.id,
                    role=role,
                    concept_id=concept.id,
                    user_input="my explanation",
                    ai_response="…",
                    evaluation=evaluation,
                    created_at=at,
                )
            )


async def reviewer_calls(services: Services) -> int:
    async with services.db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(AIUsage).where(AIUsage.role == "reviewer")
        )
        return count or 0


def titles(items: list[dict]) -> list[str]:
    return [item["concept_title"] for item in items]


# -- schedule and start items ------------------------------------------------------------


async def test_schedule_by_the_learners_calendar(services: Services) -> None:
    ann = await add_user(services, "Ann")
    basics = await add_course(services, ann, "Investing", "Risk", "Return", "Saving", "Shares")
    risk, ret, saving, shares = basics
    await evaluate(services, ann, risk, (NOW - timedelta(days=1), 0.1))  # due now: today
    await evaluate(services, ann, ret, (NOW - timedelta(hours=1), 0.7))  # in 2 days
    # 23:30 UTC is 06:30 tomorrow in Phnom Penh.
    await evaluate(
        services, ann, saving, (NOW, 0.5), due_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    )
    await evaluate(services, ann, shares)  # no evaluation, no card: not scheduled
    bob = await add_user(services, "Bob")
    [bobs] = await add_course(services, bob, "Bob's course", "Bob's concept")
    await evaluate(services, bob, bobs, (NOW - timedelta(days=3), 0.2))

    async with services.db.transaction() as session:
        out = await service.schedule(session, ann, now=NOW)
    assert out["timezone"] == PHNOM_PENH
    assert titles(out["overdue_or_today"]) == ["Risk"]
    assert titles(out["tomorrow"]) == ["Saving"]
    assert titles(out["this_week"]) == ["Return"]
    assert out["counts"] == {"overdue_or_today": 1, "tomorrow": 1, "this_week": 1}
    [item] = out["overdue_or_today"]
    assert item["content_title"] == "Investing" and item["last_confidence"] == 0.1
    assert item["concept_id"] == risk.id and item["content_id"] == await content_of(services, risk)
    assert datetime.fromisoformat(item["due_at"]) == NOW

    # The same due time is today for a learner in UTC.
    ann.preferences = {**ann.preferences, "timezone": "UTC"}
    async with services.db.transaction() as session:
        out = await service.schedule(session, ann, now=NOW)
    assert titles(out["overdue_or_today"]) == ["Risk", "Saving"]


async def test_the_card_round_trips_through_the_database(services: Services) -> None:
    ann = await add_user(services, "Ann")
    [risk] = await add_course(services, ann, "Investing", "Risk")
    await evaluate(services, ann, risk, (NOW - timedelta(days=2), 0.7))
    bounds = services.settings.review_rating_bounds
    async with services.db.transaction() as session:
        row = await session.scalar(select(ConceptProgress))
        assert row is not None and row.due_at is not None
        card = card_of(row)
        assert card is not None and card.due == row.due_at
        first_due = row.due_at
        apply_evaluation(row, 0.9, row.due_at, bounds)
    async with services.db.transaction() as session:
        row = await session.scalar(select(ConceptProgress))
        assert row is not None and row.due_at is not None
        assert row.due_at - first_due > first_due - (NOW - timedelta(days=2))


async def test_start_items_are_due_by_the_end_of_the_learners_today(services: Services) -> None:
    ann = await add_user(services, "Ann")
    risk, ret, saving = await add_course(services, ann, "Investing", "Risk", "Return", "Saving")
    [old] = await add_course(services, ann, "Budgeting", "Budget")
    await evaluate(services, ann, risk, (NOW, 0.5), due_at=NOW)
    await evaluate(services, ann, old, (NOW, 0.5), due_at=NOW - timedelta(days=3))
    await evaluate(
        services, ann, ret, (NOW, 0.5), due_at=datetime(2026, 11, 20, 16, 59, tzinfo=UTC)
    )
    await evaluate(
        services, ann, saving, (NOW, 0.5), due_at=datetime(2026, 11, 20, 17, 1, tzinfo=UTC)
    )
    bob = await add_user(services, "Bob")
    [bobs] = await add_course(services, bob, "Bob's course", "Bob's concept")
    await evaluate(services, bob, bobs, (NOW, 0.2), due_at=NOW - timedelta(days=9))
    investing = await content_of(services, risk)

    async with services.db.transaction() as session:
        assert await service.start_items(session, ann, None, now=NOW) == [old.id, risk.id, ret.id]
        assert await service.start_items(session, ann, investing, now=NOW) == [risk.id, ret.id]
        assert await service.start_items(session, ann, None, limit=1, now=NOW) == [old.id]
        ann.preferences = {**ann.preferences, "timezone": "UTC"}  # the day ends at midnight UTC
        due = await service.start_items(session, ann, investing, now=NOW)
        assert due == [risk.id, ret.id, saving.id]


# -- summary -------------------------------------------------------------------------------


async def test_summary_weak_points_and_latest_session(services: Services) -> None:
    ann = await add_user(services, "Ann")
    risk, ret, saving, shares = await add_course(
        services, ann, "Investing", "Risk", "Return", "Saving", "Shares"
    )
    day = timedelta(days=1)
    await evaluate(services, ann, risk, (NOW - day, 0.1), gaps=("the link to return",))
    await evaluate(services, ann, ret, (NOW - 3 * day, 0.3), (NOW - 2 * day, 0.2), (NOW, 0.9))
    await evaluate(services, ann, saving, (NOW - day, 0.45), (NOW, 0.8))  # one low: not weak
    await evaluate(services, ann, shares, (NOW, 0.7))
    await add_session(services, ann, risk, NOW - 3 * day, completed_at=NOW - 3 * day,
                      summary={"summary": "older"})  # fmt: skip
    await add_session(services, ann, ret, NOW - day, completed_at=NOW - day,
                      summary={"summary": "latest"})  # fmt: skip
    await add_session(services, ann, saving, NOW)  # active: not completed
    bob = await add_user(services, "Bob")
    [bobs] = await add_course(services, bob, "Bob's course", "Bob's concept")
    await evaluate(services, bob, bobs, (NOW, 0.1))
    await add_session(services, bob, bobs, NOW, completed_at=NOW, summary={"summary": "Bob's"})

    async with services.db.transaction() as session:
        out = await service.summary(session, ann, services, now=NOW)
    weak = out["weak_points"]
    assert titles(weak) == ["Risk", "Return"]
    assert weak[0]["gaps"] == ["the link to return"] and weak[0]["last_confidence"] == 0.1
    assert weak[1]["low_evaluations"] == 2 and weak[1]["last_confidence"] == 0.9
    assert out["latest_session"]["summary"] == {"summary": "latest"}
    assert out["latest_session"]["concept_id"] == ret.id
    assert out["schedule"]["counts"]["overdue_or_today"] == 1  # Risk, due now
    assert "Bob's concept" not in str(out)


async def test_summary_for_a_new_learner(services: Services) -> None:
    carol = await add_user(services, "Carol", tz="America/Los_Angeles")
    async with services.db.transaction() as session:
        out = await service.summary(session, carol, services, now=NOW)
    assert out["weak_points"] == [] and out["latest_session"] is None
    assert out["schedule"]["counts"] == {"overdue_or_today": 0, "tomorrow": 0, "this_week": 0}
    assert out["schedule"]["timezone"] == "America/Los_Angeles"


# -- session summary and the weekly report ----------------------------------------------


async def a_week_of_work(services: Services, ann: User) -> dict[str, object]:
    """Ann (Phnom Penh) this week: one completed session on Risk and Return, one paused
    session; last week's work and another learner's work must not count."""
    risk, ret, saving = await add_course(services, ann, "Investing", "Risk", "Return", "Saving")
    t0 = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
    minute = timedelta(minutes=1)
    week = await add_session(services, ann, risk, t0, seconds=1200, completed_at=t0 + 25 * minute)
    await add_steps(
        services,
        week,
        (t0, risk, "tutor", None, []),
        (t0 + 2 * minute, risk, "examiner", 0.3, ["names no example"]),
        (t0 + 5 * minute, risk, "tutor", None, []),
        (t0 + 8 * minute, risk, "examiner", 0.4, ["mixes risk and loss"]),
        (t0 + 20 * minute, ret, "examiner", 0.9, []),  # 12 idle minutes count as 5
    )
    await evaluate(services, ann, risk, (datetime(2026, 11, 10, tzinfo=UTC), 0.2),
                   (t0 + 2 * minute, 0.3), (t0 + 8 * minute, 0.4),
                   gaps=("mixes risk and loss",))  # fmt: skip
    await evaluate(services, ann, ret, (t0 + 20 * minute, 0.9))
    await evaluate(services, ann, saving, (datetime(2026, 11, 5, tzinfo=UTC), 0.3))
    # Paused, last active this week: its time counts, it is not completed.
    await add_session(services, ann, saving, datetime(2026, 11, 12, tzinfo=UTC), seconds=600,
                      last_activity_at=datetime(2026, 11, 15, tzinfo=UTC))  # fmt: skip
    # 23:00 in Phnom Penh the day before the week starts: not this week.
    before = datetime(2026, 11, 13, 16, 0, tzinfo=UTC)
    await add_session(services, ann, saving, before, seconds=3000, completed_at=before)
    await add_session(services, ann, saving, datetime(2026, 11, 10, tzinfo=UTC), seconds=900,
                      completed_at=datetime(2026, 11, 10, 1, tzinfo=UTC))  # fmt: skip
    bob = await add_user(services, "Bob")
    [bobs] = await add_course(services, bob, "Bob's course", "Bob's concept")
    theirs = await add_session(services, bob, bobs, t0, seconds=999, completed_at=t0)
    await add_steps(services, theirs, (t0, bobs, "examiner", 0.1, ["Bob's gap"]))
    await evaluate(services, bob, bobs, (t0, 0.1))
    return {"session": week, "risk": risk, "return": ret}


async def test_session_summary_from_the_examiners_evaluations(services: Services) -> None:
    ann = await add_user(services, "Ann")
    work = await a_week_of_work(services, ann)
    learning_session = work["session"]
    assert isinstance(learning_session, LearningSession)
    async with services.db.transaction() as session:
        out = await service.session_summary(session, services, ann, learning_session)
        row = await session.get(LearningSession, learning_session.id)
        assert row is not None
        row.summary = out
    assert set(out) == {"summary", "weak_points", "schedule", "engine"}
    assert out["engine"] == "offline engine"
    assert out["summary"].startswith("Ann, this session you worked on 2 concepts for 13 minutes")
    assert "30% → 40%" in out["summary"]  # percentages, as everywhere else
    [weak] = out["weak_points"]
    assert weak.startswith("Risk") and "mixes risk and loss" in weak
    assert [item["concept"] for item in out["schedule"]] == ["Risk", "Return"]
    assert "Bob" not in str(out)
    assert await reviewer_calls(services) == 1
    async with services.db.transaction() as session:
        summary = await service.summary(session, ann, services, now=NOW)
    assert summary["latest_session"]["summary"] == out

    bob = await add_user(services, "Bob")
    async with services.db.transaction() as session:
        with pytest.raises(ValueError, match="another learner"):
            await service.session_summary(session, services, bob, learning_session)


async def test_session_summary_of_an_empty_session(services: Services) -> None:
    ann = await add_user(services, "Ann")
    [risk] = await add_course(services, ann, "Investing", "Risk")
    empty = await add_session(services, ann, None, NOW, completed_at=NOW)
    started = await add_session(services, ann, risk, NOW, completed_at=NOW)
    async with services.db.transaction() as session:
        nothing = await service.session_summary(session, services, ann, empty)
        opened = await service.session_summary(session, services, ann, started)
    assert nothing["engine"] is None and "nothing to review yet" in nothing["summary"]
    assert "Not yet explained back: Risk" in opened["summary"]


async def test_weekly_report(services: Services) -> None:
    ann = await add_user(services, "Ann")
    await a_week_of_work(services, ann)
    async with services.db.transaction() as session:
        out = await service.weekly(session, ann, services, now=NOW)
    assert (out["first_day"], out["last_day"]) == ("2026-11-14", "2026-11-20")
    assert out["sessions_completed"] == 1
    assert out["minutes"] == 30  # 1200 s completed this week + 600 s of the paused session
    assert out["concepts_practised"] == 2
    risk, ret = out["concepts"]
    assert (risk["concept_title"], risk["first_confidence"], risk["last_confidence"]) == (
        "Risk",
        0.3,
        0.4,
    )
    assert risk["change"] == pytest.approx(0.1) and risk["minutes"] == 8
    assert (ret["concept_title"], ret["evaluations"], ret["change"], ret["minutes"]) == (
        "Return",
        1,
        0.0,
        5,
    )
    assert out["average_confidence_change"] == pytest.approx(0.1)  # Risk: evaluated twice
    assert titles(out["weak_areas"]) == ["Risk"]
    assert out["weak_areas"][0]["gaps"] == ["mixes risk and loss"]
    assert out["engine"] == "offline engine"
    assert out["report"]["summary"].startswith("Ann, this week you worked on 2 concepts")
    assert [item["concept"] for item in out["report"]["schedule"]] == ["Risk", "Return"]
    assert out["due"]["timezone"] == PHNOM_PENH
    assert "Bob" not in str(out)
    assert await reviewer_calls(services) == 1

    async with services.db.transaction() as session:
        again = await service.weekly(session, ann, services, now=NOW)
    assert again == out and await reviewer_calls(services) == 1  # the report is kept a day


async def test_past_the_ai_allowance_the_offline_reviewer_answers(services: Services) -> None:
    ann = await add_user(services, "Ann")
    work = await a_week_of_work(services, ann)
    learning_session = work["session"]
    assert isinstance(learning_session, LearningSession)
    cap = services.settings.ai_calls_free_daily
    async with services.db.transaction() as session:
        session.add_all(
            AIUsage(user_id=ann.id, role="tutor", provider="offline", model="x") for _ in range(cap)
        )
    async with services.db.transaction() as session:
        report = await service.weekly(session, ann, services, now=NOW)
        summary = await service.session_summary(session, services, ann, learning_session)
    assert report["engine"] == summary["engine"] == "offline engine"
    assert report["report"]["summary"].startswith("Ann, this week you worked on 2 concepts")
    assert summary["summary"].startswith("Ann, this session you worked on 2 concepts")
    assert await reviewer_calls(services) == 0


async def test_weekly_for_a_learner_without_activity(services: Services) -> None:
    carol = await add_user(services, "Carol", tz="America/Los_Angeles")
    [old] = await add_course(services, carol, "Old course", "Old concept")
    await evaluate(services, carol, old, (NOW - timedelta(days=30), 0.9))
    async with services.db.transaction() as session:
        out = await service.weekly(session, carol, services, now=NOW)
    assert (out["sessions_completed"], out["minutes"], out["concepts_practised"]) == (0, 0, 0)
    assert out["concepts"] == [] and out["weak_areas"] == []
    assert out["average_confidence_change"] is None
    assert out["engine"] is None
    assert out["report"] == {
        "summary": "Carol, nothing to review yet: no concept was studied this week.",
        "weak_points": [],
        "schedule": [],
    }
    assert out["due"]["counts"]["overdue_or_today"] == 1  # the old concept is due again
    assert await reviewer_calls(services) == 0
