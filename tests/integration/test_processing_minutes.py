"""Processing minutes per learner per day: counted from the learner's processing jobs' run
time within their own day; past the limit an upload or re-process answers 429 with
Retry-After until the day ends, on the API and the pages, with the limit named."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from learningos.kit.db import utcnow
from learningos.models.jobs import Job
from learningos.models.user import User
from tests.conftest import bearer, signed_in
from tests.integration.test_content import NOTES, processed, upload
from tests.integration.test_content_pages import _signed_in_browser
from tests.integration.test_pages import html


def _midday_zone() -> ZoneInfo:
    """A time zone where it is now around noon, so that "today" has room either side."""
    shift = 12 - utcnow().hour  # hours east of UTC; Etc/GMT signs are inverted
    name = "Etc/GMT" if shift == 0 else f"Etc/GMT{'-' if shift > 0 else '+'}{abs(shift)}"
    return ZoneInfo(name)


async def _learner_in(services, user_id: uuid.UUID, tz: ZoneInfo) -> None:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.preferences = {**user.preferences, "timezone": tz.key}


async def _ran(services, user_id: uuid.UUID, start: datetime, end: datetime | None) -> None:  # type: ignore[no-untyped-def]
    """A processing job of the learner that ran from `start` to `end` (None: still running)."""
    async with services.db.transaction() as session:
        session.add(
            Job(
                name="content.process",
                user_id=user_id,
                payload={"content_id": str(uuid.uuid4())},
                status="done" if end else "running",
                attempts=1,
                started_at=start,
                finished_at=end,
            )
        )


def _seconds_to_midnight(tz: ZoneInfo) -> float:
    now = utcnow()
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return (datetime.combine(tomorrow, time(), tzinfo=tz) - now).total_seconds()


async def _me(client, tokens) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return uuid.UUID((await client.get("/api/v1/me", headers=bearer(tokens))).json()["id"])


async def test_uploads_and_retries_past_the_days_minutes_answer_429_until_midnight(
    client, services, monkeypatch
):
    monkeypatch.setattr(services.settings, "processing_minutes_per_user", 10)
    tokens = await signed_in(client)
    user_id = await _me(client, tokens)
    tz = _midday_zone()
    await _learner_in(services, user_id, tz)
    made = await upload(client, tokens, "bio.md", NOTES)
    assert made.status_code == 201, made.text
    item = made.json()["content"]["id"]
    await processed(client, services, tokens, item)
    now = utcnow()
    # Yesterday's long job does not count; today's 6 minutes plus 5 running minutes do.
    await _ran(services, user_id, now - timedelta(days=1, hours=3), now - timedelta(days=1))
    await _ran(services, user_id, now - timedelta(minutes=30), now - timedelta(minutes=24))
    second = await upload(client, tokens, "two.md", NOTES + b"two")
    assert second.status_code == 201, second.text  # 6 minutes (and the real job's) < 10
    await processed(client, services, tokens, second.json()["content"]["id"])
    await _ran(services, user_id, now - timedelta(minutes=5), None)

    refused = await upload(client, tokens, "three.md", NOTES + b"three")
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "today's 10 minutes of processing time" in error["message"]
    assert error["details"]["limit_minutes"] == 10 and error["details"]["used_minutes"] >= 11
    retry_after = int(refused.headers["retry-after"])
    assert abs(retry_after - _seconds_to_midnight(tz)) < 30
    assert error["details"]["retry_after"] == retry_after

    again = await upload(client, tokens, "bio.md", NOTES)  # already in the library: free
    assert again.status_code == 200 and again.json()["duplicate"] is True
    retried = await client.post(f"/api/v1/content/{item}/retry", headers=bearer(tokens))
    assert retried.status_code == 429
    assert "processing time" in retried.json()["error"]["message"]
    listing = (await client.get("/api/v1/content", headers=bearer(tokens))).json()
    assert len(listing) == 2

    # Another learner has minutes of their own.
    other = await signed_in(client, email="bo@example.com")
    assert (await upload(client, other, "bio.md", NOTES)).status_code == 201
    await processed(client, services, other, (await client.get(
        "/api/v1/content", headers=bearer(other))).json()[0]["id"])  # fmt: skip


async def test_a_job_that_began_before_the_learners_day_counts_from_midnight(
    client, services, monkeypatch
):
    monkeypatch.setattr(services.settings, "processing_minutes_per_user", 60)
    tokens = await signed_in(client)
    user_id = await _me(client, tokens)
    tz = _midday_zone()
    await _learner_in(services, user_id, tz)
    midnight = datetime.combine(utcnow().astimezone(tz).date(), time(), tzinfo=tz)
    # 50 of its 100 minutes fall today: under the limit.
    await _ran(
        services, user_id, midnight - timedelta(minutes=50), midnight + timedelta(minutes=50)
    )
    assert (await upload(client, tokens, "bio.md", NOTES)).status_code == 201
    await processed(client, services, tokens, (await client.get(
        "/api/v1/content", headers=bearer(tokens))).json()[0]["id"])  # fmt: skip
    await _ran(
        services, user_id, midnight + timedelta(minutes=60), midnight + timedelta(minutes=71)
    )
    refused = await upload(client, tokens, "two.md", NOTES + b"two")
    assert refused.status_code == 429
    assert refused.json()["error"]["details"]["used_minutes"] >= 61


async def test_the_pages_show_the_limit_and_keep_what_was_typed(client, services, monkeypatch):
    monkeypatch.setattr(services.settings, "processing_minutes_per_user", 1)
    csrf = await _signed_in_browser(client)
    me = (await client.get("/api/v1/me")).json()
    user_id = uuid.UUID(me["id"])
    good = await client.post(
        "/upload", files={"file": ("bio.md", NOTES)}, data={"csrf_token": csrf}
    )
    assert good.status_code == 303
    item = good.headers["location"].rsplit("/", 1)[1]
    await processed(client, services, {"access_token": client.cookies["lo_access"]}, item)
    now = utcnow()
    await _ran(services, user_id, now - timedelta(minutes=3), now - timedelta(minutes=1))

    form = {"csrf_token": csrf, "title": "My second book", "description": "Chapter notes"}
    page = await client.post("/upload", files={"file": ("two.md", NOTES + b"2")}, data=form)
    assert page.status_code == 429
    assert page.headers["retry-after"].isdigit()
    doc = html(page)
    assert "today's 1 minutes of processing time" in doc.body.text()
    assert doc.css_first('input[name="title"]').attributes["value"] == "My second book"
    assert "Chapter notes" in doc.css_first('textarea[name="description"]').text()

    xhr = await client.post(
        "/upload",
        headers={"X-Requested-With": "XMLHttpRequest"},
        files={"file": ("two.md", NOTES + b"2")},
        data=form,
    )
    assert xhr.status_code == 429 and "processing time" in xhr.json()["error"]["message"]
    assert int(xhr.headers["retry-after"]) > 0

    retry = await client.post(f"/content/{item}/retry", data={"csrf_token": csrf})
    assert retry.status_code == 429
    assert "today's 1 minutes of processing time" in html(retry).body.text()
    async with services.db.transaction() as session:  # the refusals queued nothing
        jobs = await session.scalar(
            select(func.count()).where(Job.user_id == user_id, Job.name == "content.process")
        )
    assert jobs == 2  # the first upload's and the one made up above
