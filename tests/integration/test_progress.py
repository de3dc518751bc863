"""Progress on a real database: per content item, the overall summary (streak in the learner's
time zone), engagement recording under concurrency, access, and the /progress page."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from learningos.kit.db import utcnow
from learningos.models.content import Content
from learningos.models.learning import (
    Concept,
    ConceptProgress,
    Engagement,
    Interaction,
    LearningMap,
    LearningSession,
    SessionStatus,
)
from learningos.models.user import User
from learningos.progress import service
from tests.conftest import bearer, register, signed_in
from tests.integration.test_pages import html, sign_in_page

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def evaluation(when: datetime, confidence: float) -> dict:
    return {"at": when.isoformat(), "confidence": confidence, "session_id": str(uuid.uuid4())}


async def user_id_of(services, email: str = "ann@example.com") -> uuid.UUID:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        return (await session.scalars(select(User.id).where(User.email == email))).one()


async def make_content(  # type: ignore[no-untyped-def]
    services,
    owner_id: uuid.UUID,
    titles: list[str],
    title: str = "Statistics",
    visibility: str = "private",
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A ready content item with a learning map of the given concepts, in order."""
    async with services.db.transaction() as session:
        content = Content(
            user_id=owner_id, title=title, type="markdown", status="ready", visibility=visibility
        )
        session.add(content)
        await session.flush()
        learning_map = LearningMap(content_id=content.id, overview="Overview")
        session.add(learning_map)
        await session.flush()
        concepts = [
            Concept(learning_map_id=learning_map.id, title=t, order_index=i)
            for i, t in enumerate(titles)
        ]
        session.add_all(concepts)
        await session.flush()
        return content.id, [c.id for c in concepts]


async def add_progress(services, user_id, content_id, concept_id, **values) -> None:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        session.add(
            ConceptProgress(user_id=user_id, content_id=content_id, concept_id=concept_id, **values)
        )


async def add_interactions(services, user_id, content_id, times: list[datetime]) -> None:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        # Completed: a learner has at most one open session per material.
        learning_session = LearningSession(
            user_id=user_id, content_id=content_id, status=SessionStatus.COMPLETED
        )
        session.add(learning_session)
        await session.flush()
        for when in times:
            session.add(
                Interaction(
                    session_id=learning_session.id, role="user", user_input="hi", created_at=when
                )
            )


async def seed_statistics(services, user_id: uuid.UUID) -> tuple[uuid.UUID, list[uuid.UUID]]:  # type: ignore[no-untyped-def]
    """Four concepts: mastered, completed at medium confidence, weak in progress, untouched."""
    content_id, ids = await make_content(
        services, user_id, ["Mean", "Variance", "Effect size", "Histograms"]
    )
    now = utcnow()
    await add_progress(
        services, user_id, content_id, ids[0],
        status="completed", attempts=2, last_confidence=0.9, time_spent_seconds=600,
        confidence_history=[evaluation(now, 0.7), evaluation(now, 0.9)],
        completed_at=now,
    )  # fmt: skip
    await add_progress(
        services, user_id, content_id, ids[1],
        status="completed", attempts=1, last_confidence=0.6, time_spent_seconds=300,
        confidence_history=[evaluation(now, 0.6)], completed_at=now,
    )  # fmt: skip
    await add_progress(
        services, user_id, content_id, ids[2],
        status="in_progress", attempts=3, last_confidence=0.3, time_spent_seconds=900,
        confidence_history=[evaluation(now, 0.3)], gaps=["confuses d with r"],
    )  # fmt: skip
    return content_id, ids


# ---------- per content item ----------


async def test_content_progress_figures(client, services):
    tokens = await signed_in(client)
    user_id = uuid.UUID(tokens["user"]["id"])
    content_id, ids = await seed_statistics(services, user_id)

    response = await client.get(f"/api/v1/progress/{content_id}", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Statistics"
    assert (body["total_concepts"], body["completed"], body["in_progress"]) == (4, 2, 1)
    assert body["percent"] == 50
    assert body["average_confidence"] == pytest.approx(0.6)
    assert body["time_spent_seconds"] == 1800
    assert [w["title"] for w in body["weak_areas"]] == ["Effect size"]
    assert body["weak_areas"][0]["gaps"] == ["confuses d with r"]
    assert [m["title"] for m in body["mastered"]] == ["Mean"]
    concepts = body["concepts"]
    assert [c["title"] for c in concepts] == ["Mean", "Variance", "Effect size", "Histograms"]
    assert [c["order"] for c in concepts] == [0, 1, 2, 3]
    assert [c["status"] for c in concepts] == [
        "completed",
        "completed",
        "in_progress",
        "not_started",
    ]
    assert concepts[0]["attempts"] == 2 and len(concepts[0]["confidence_history"]) == 2
    assert concepts[3] | {"concept_id": None} == {
        "concept_id": None,
        "title": "Histograms",
        "order": 3,
        "status": "not_started",
        "attempts": 0,
        "last_confidence": None,
        "confidence_history": [],
        "gaps": [],
        "time_spent_seconds": 0,
    }


async def test_content_without_a_map_has_no_concepts(client, services):
    tokens = await signed_in(client)
    async with services.db.transaction() as session:
        content = Content(
            user_id=uuid.UUID(tokens["user"]["id"]), title="New", type="text", status="processing"
        )
        session.add(content)
    body = (await client.get(f"/api/v1/progress/{content.id}", headers=bearer(tokens))).json()
    assert (body["total_concepts"], body["percent"], body["concepts"]) == (0, 0, [])
    assert body["average_confidence"] is None


async def test_another_learners_progress_is_never_visible(client, services):
    ann = await signed_in(client)
    ann_id = uuid.UUID(ann["user"]["id"])
    private_id, _ = await seed_statistics(services, ann_id)
    public_id, public_concepts = await make_content(
        services, ann_id, ["Bayes"], title="Open notes", visibility="public"
    )
    await add_progress(
        services, ann_id, public_id, public_concepts[0], status="completed", last_confidence=0.95
    )
    bob = await signed_in(client, email="bob@example.com")

    hidden = await client.get(f"/api/v1/progress/{private_id}", headers=bearer(bob))
    assert hidden.status_code == 404
    missing = await client.get(f"/api/v1/progress/{uuid.uuid4()}", headers=bearer(bob))
    assert missing.status_code == 404
    # Bob may read the public item, but sees only his own (empty) progress on it.
    shared = (await client.get(f"/api/v1/progress/{public_id}", headers=bearer(bob))).json()
    assert (shared["completed"], shared["mastered"]) == (0, [])
    assert shared["concepts"][0]["status"] == "not_started"
    summary = (await client.get("/api/v1/progress/summary", headers=bearer(bob))).json()
    assert summary["has_activity"] is False
    assert (summary["concepts_mastered"], summary["time_spent_seconds"]) == (0, 0)
    assert summary["weak_areas"] == [] and summary["mastered"] == [] and summary["contents"] == []
    assert (await client.get("/api/v1/progress/summary")).status_code == 401


# ---------- summary ----------


async def test_summary_figures_in_the_learners_time_zone(client, services):
    await register(client)
    user_id = await user_id_of(services)
    content_id, ids = await make_content(services, user_id, ["Mean", "Variance", "Effect size"])
    await make_content(services, user_id, ["Other"], title="Economics")  # no progress on it
    now = at("2026-03-10T03:00:00")  # 10:00 on 10 March in Phnom Penh
    await add_progress(
        services, user_id, content_id, ids[0],
        status="completed", last_confidence=0.8, time_spent_seconds=1200,
        confidence_history=[
            evaluation(at("2026-01-01T10:00:00"), 0.2),  # older than 30 days: left out
            evaluation(at("2026-03-09T18:00:00"), 0.6),  # 10 March 01:00 local
            evaluation(at("2026-03-10T02:00:00"), 0.8),  # 10 March 09:00 local
        ],
        due_at=at("2026-03-09T12:00:00"),  # overdue: due today
    )  # fmt: skip
    await add_progress(
        services, user_id, content_id, ids[1],
        status="in_progress", last_confidence=0.4, time_spent_seconds=600, gaps=["n - 1"],
        confidence_history=[evaluation(at("2026-03-08T10:00:00"), 0.4)],
        due_at=at("2026-03-10T20:00:00"),  # 11 March 03:00 local: tomorrow
    )  # fmt: skip
    # Active local days in Phnom Penh: 10, 9 and 8 March (then a gap before 5 March).
    await add_interactions(
        services,
        user_id,
        content_id,
        [
            at("2026-03-09T17:30:00"),  # 10 March 00:30 local
            at("2026-03-08T20:00:00"),  # 9 March 03:00 local
            at("2026-03-07T18:00:00"),  # 8 March 01:00 local
            at("2026-03-05T10:00:00"),
        ],
    )

    async with services.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.preferences = {**user.preferences, "timezone": "Asia/Phnom_Penh"}
    async with services.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        local = await service.summary(session, user, now=now)
        user.preferences = {**user.preferences, "timezone": "UTC"}
        in_utc = await service.summary(session, user, now=now)

    assert local["timezone"] == "Asia/Phnom_Penh" and local["today"] == date(2026, 3, 10)
    assert local["has_activity"] is True
    assert (local["concepts_mastered"], local["concepts_completed"]) == (1, 1)
    assert local["concepts_in_progress"] == 1
    assert local["average_confidence"] == pytest.approx(0.6)
    assert local["time_spent_seconds"] == 1800
    assert (local["streak_days"], local["active_today"]) == (3, True)
    assert local["confidence_over_time"] == [
        {"day": date(2026, 3, 8), "average_confidence": 0.4, "evaluations": 1},
        {"day": date(2026, 3, 10), "average_confidence": 0.7, "evaluations": 2},
    ]
    assert local["review_schedule"] == {"due_today": 1, "due_tomorrow": 1, "due_this_week": 2}
    assert [w["title"] for w in local["weak_areas"]] == ["Variance"]
    assert local["weak_areas"][0]["content_title"] == "Statistics"
    assert [m["title"] for m in local["mastered"]] == ["Mean"]
    rows = {row["title"]: row for row in local["contents"]}
    assert set(rows) == {"Statistics", "Economics"}
    assert (rows["Statistics"]["completed"], rows["Statistics"]["total_concepts"]) == (1, 3)
    assert rows["Statistics"]["percent"] == 33
    assert rows["Statistics"]["average_confidence"] == pytest.approx(0.6)
    assert (rows["Economics"]["percent"], rows["Economics"]["average_confidence"]) == (0, None)

    # In UTC the same interactions fall on 9, 8 and 7 March: nothing yet "today" (10 March),
    # but the streak is still alive; the evaluations fall on other days.
    assert (in_utc["today"], in_utc["streak_days"], in_utc["active_today"]) == (
        date(2026, 3, 10),
        3,
        False,
    )
    assert [p["day"] for p in in_utc["confidence_over_time"]] == [
        date(2026, 3, 8),
        date(2026, 3, 9),
        date(2026, 3, 10),
    ]
    assert in_utc["review_schedule"] == {"due_today": 2, "due_tomorrow": 0, "due_this_week": 2}


async def test_summary_api_counts_todays_streak(client, services):
    tokens = await signed_in(client)
    user_id = uuid.UUID(tokens["user"]["id"])
    content_id, _ = await seed_statistics(services, user_id)
    now = utcnow()
    await add_interactions(services, user_id, content_id, [now, now - timedelta(days=1)])

    response = await client.get("/api/v1/progress/summary", headers=bearer(tokens))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["streak_days"], body["active_today"]) == (2, True)
    assert (body["concepts_mastered"], body["concepts_completed"]) == (1, 2)
    assert body["time_spent_seconds"] == 1800
    assert body["confidence_over_time"][-1]["evaluations"] == 4
    assert body["contents"][0]["percent"] == 50


async def test_a_streak_needs_study_not_just_an_opened_session(client, services):
    tokens = await signed_in(client)
    user_id = uuid.UUID(tokens["user"]["id"])
    content_id, _ = await make_content(services, user_id, ["Mean"])
    now = utcnow()
    async with services.db.transaction() as session:
        opened = LearningSession(user_id=user_id, content_id=content_id)
        session.add(opened)
        await session.flush()
        # The tutor's opening explanation: the learner has written nothing yet.
        session.add(
            Interaction(session_id=opened.id, role="tutor", ai_response="Hello", created_at=now)
        )

    body = (await client.get("/api/v1/progress/summary", headers=bearer(tokens))).json()
    assert (body["streak_days"], body["active_today"]) == (0, False)

    await add_interactions(services, user_id, content_id, [now])
    body = (await client.get("/api/v1/progress/summary", headers=bearer(tokens))).json()
    assert (body["streak_days"], body["active_today"]) == (1, True)


# ---------- recording engagement ----------


async def engagement_rows(services, user_id) -> list[Engagement]:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(Engagement).where(Engagement.user_id == user_id).order_by(Engagement.month)
        )
        return list(rows)


async def test_record_activity_accumulates_per_local_month(client, services):
    await register(client)
    user_id = await user_id_of(services)
    content_id, ids = await make_content(services, user_id, ["Mean", "Variance"])
    calls = [
        (ids[0], 40, at("2026-01-31T10:00:00"), False),
        (ids[0], 20, at("2026-01-31T12:00:00"), True),
        (ids[1], 15, at("2026-01-31T18:00:00"), False),  # 1 February 01:00 in Phnom Penh
        (None, 5, at("2026-02-02T08:00:00"), False),
    ]
    for concept_id, seconds, when, completed in calls:
        async with services.db.transaction() as session:
            await service.record_activity(
                session,
                user_id=user_id,
                content_id=content_id,
                concept_id=concept_id,
                seconds=seconds,
                at=when,
                tz=PHNOM_PENH,
                session_completed=completed,
            )

    january, february = await engagement_rows(services, user_id)
    assert (january.month, january.seconds, january.sessions_completed) == ("2026-01", 60, 1)
    assert january.concept_ids == [str(ids[0])]
    assert (february.month, february.seconds, february.sessions_completed) == ("2026-02", 20, 0)
    assert february.concept_ids == [str(ids[1])]


async def test_record_activity_is_safe_under_concurrency(client, services):
    await register(client)
    user_id = await user_id_of(services)
    content_id, ids = await make_content(services, user_id, [f"C{i}" for i in range(5)])
    when = utcnow()

    async def record(n: int) -> None:
        # Each call in its own transaction; SQLite's busy timeout queues the writers.
        async with services.db.transaction() as session:
            await service.record_activity(
                session,
                user_id=user_id,
                content_id=content_id,
                concept_id=ids[n % 5],
                seconds=n + 1,
                at=when,
                tz=PHNOM_PENH,
                session_completed=n % 2 == 0,
            )

    await asyncio.gather(*(record(n) for n in range(10)))

    (row,) = await engagement_rows(services, user_id)
    assert row.seconds == sum(range(1, 11))
    assert row.sessions_completed == 5
    assert sorted(row.concept_ids) == sorted(str(i) for i in ids)


# ---------- the page ----------


async def test_progress_page_needs_sign_in(client):
    response = await client.get("/progress")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/progress"


async def test_progress_page_empty_state_then_figures(client, services):
    await register(client)
    await sign_in_page(client)

    empty = await client.get("/progress")
    assert empty.status_code == 200
    doc = html(empty)
    assert "Learn your first concept and your progress appears here" in doc.body.text()
    assert doc.css_first('a[href$="/dashboard"]') is not None
    assert doc.css_first('a[href$="/upload"]') is not None
    assert doc.css_first('a[href="/progress"][aria-current="page"]') is not None
    assert doc.css_first("svg polyline") is None

    user_id = await user_id_of(services)
    content_id, _ = await seed_statistics(services, user_id)
    now = utcnow()
    await add_interactions(services, user_id, content_id, [now - timedelta(days=2), now])
    async with services.db.transaction() as session:
        progress = await session.scalar(
            select(ConceptProgress).where(ConceptProgress.last_confidence == 0.6)
        )
        assert progress is not None
        progress.confidence_history = [evaluation(now - timedelta(days=3), 0.5)]

    response = await client.get("/progress")
    assert response.status_code == 200
    doc = html(response)
    text = doc.body.text()
    assert "Learn your first concept" not in text
    cards = {_words(dt): _words(dd) for dt, dd in _stat_cards(doc)}
    assert cards["Concepts mastered"] == "1 2 completed"
    assert cards["Average confidence"].startswith("60%")
    assert cards["Time learning"].startswith("30 min")
    assert cards["Daily streak"] == "1 day you learned today"
    chart = doc.css_first('svg[role="img"]')
    assert chart is not None and chart.css_first("polyline") is not None
    assert len(chart.css("circle")) == 2  # two days with evaluations
    assert "2 days with evaluations" in chart.css_first("desc").text()
    assert len(doc.css("details table tbody tr")) == 2
    assert "Effect size" in doc.css_first("#weak-title").parent.parent.text()
    assert doc.css_first(f'a[href$="/content/{content_id}"]') is not None
    assert "Review these" in text
    bar = doc.css_first("progress")
    assert bar is not None and bar.attributes["value"] == "50"
    assert not doc.css("script:not([src])"), "no inline scripts (CSP)"
    assert not doc.css("[style]"), "no inline styles (CSP)"

    fragment = await client.get("/progress", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text.lower()

    # "Review these" starts a review session on the weak concepts of that material.
    form = next(f for f in doc.css("form") if "Review these" in f.text())
    data: dict[str, list[str]] = {}
    for field in form.css("input"):
        data.setdefault(field.attributes["name"], []).append(field.attributes["value"])
    assert data["mode"] == ["review"]
    started = await client.post(form.attributes["action"], data=data)
    assert started.status_code == 303, started.text
    assert started.headers["location"] == f"/learn/{content_id}"
    async with services.db.transaction() as session:
        review = await session.scalar(
            select(LearningSession).where(
                LearningSession.user_id == user_id, LearningSession.mode == "review"
            )
        )
        assert review is not None and review.status == "active"
        weak = await session.scalar(select(Concept).where(Concept.title == "Effect size"))
        assert weak is not None and review.concept_id == weak.id
    page = html(await client.get(started.headers["location"])).body.text()
    assert "Effect size" in page


def _stat_cards(doc):  # type: ignore[no-untyped-def]
    for card in doc.css('section[aria-labelledby="stats-title"] dl > div'):
        yield card.css_first("dt"), card.css_first("dd")


def _words(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.text().split())
