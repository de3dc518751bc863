"""Reminder and summary emails, sent only to learners who kept them on.

`learningos notify reviews|weekly` (run by cron) records one job per learner who wants the
email and has not had it in the period, then runs those jobs in its own process through the
job queue's retry machinery. Each job reloads the learner and checks the switch again, so
turning an email off always wins, even over a job already queued. Emails go through the app's
sender: the outbox folder in the embedded mode.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.account.service import wants_email
from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.db import utcnow
from learningos.kit.email import Email
from learningos.kit.logging import get_logger
from learningos.models.jobs import Job, JobName, JobStatus
from learningos.models.user import User
from learningos.review import scheduler as sched
from learningos.review import service as review
from learningos.services import Services

log = get_logger(__name__)
BATCH = 500
LISTED = 10  # concepts named in a reminder; the rest are counted


@dataclass(frozen=True)
class Kind:
    job: str
    preference: str
    # One email per learner per period, however often cron runs the command.
    period: timedelta


KINDS = {
    "reviews": Kind(JobName.ACCOUNT_REVIEW_REMINDER, "review_reminders", timedelta(hours=20)),
    "weekly": Kind(JobName.ACCOUNT_WEEKLY_SUMMARY, "weekly_summary", timedelta(days=6)),
}


@dataclass
class NotifyResult:
    kind: str
    sent: int = 0
    skipped: int = 0  # nothing due / nothing to report, or switched off meanwhile
    failed: int = 0
    job_ids: list[uuid.UUID] = field(default_factory=list)


async def notify(
    services: Services,
    kind: str,
    *,
    now: datetime | None = None,
    local_hour: int | None = None,
) -> NotifyResult:
    """Queue this kind of email for every learner who wants it and run the jobs here.

    `local_hour` keeps only learners for whom it is now that hour (0–23) in their own time
    zone: run the command hourly with it and everyone gets the email in their morning."""
    spec = KINDS[kind]
    now = now or utcnow()
    async with services.db.transaction() as session:
        job_ids = await enqueue(session, services, spec, now, local_hour)
        # This process runs them (below); workers need not know these jobs.
        services.queue.discard_pending(session)
    result = NotifyResult(kind, job_ids=job_ids)
    for job_id in job_ids:
        await services.queue.run(job_id)
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(Job).where(Job.id.in_(job_ids)))).all()
        for row in rows:
            outcome = (row.payload or {}).get("outcome")
            if row.status != JobStatus.DONE:
                result.failed += 1
            elif outcome == "sent":
                result.sent += 1
            else:
                result.skipped += 1
    counts = {"sent": result.sent, "skipped": result.skipped, "failed": result.failed}
    log.info("account.notify", kind=kind, **counts)
    return result


async def enqueue(
    session: AsyncSession,
    services: Services,
    spec: Kind,
    now: datetime,
    local_hour: int | None = None,
) -> list[uuid.UUID]:
    """One job per active learner who wants the email and had none in the period."""
    recent = select(Job.user_id).where(
        Job.name == spec.job,
        Job.user_id.is_not(None),  # NOT IN with a NULL in the list would match nothing
        Job.created_at >= now - spec.period,
        Job.status != JobStatus.FAILED,
    )
    ids: list[uuid.UUID] = []
    after: uuid.UUID | None = None
    while True:
        query = select(User).where(User.is_active.is_(True), User.id.not_in(recent))
        if after is not None:
            query = query.where(User.id > after)
        users: Sequence[User] = (await session.scalars(query.order_by(User.id).limit(BATCH))).all()
        for user in users:
            if wants_email(user, spec.preference) and _at_hour(user, now, local_hour):
                row = await services.queue.enqueue(
                    session, spec.job, {"at": now.isoformat()}, user_id=user.id
                )
                ids.append(row.id)
        if len(users) < BATCH:
            return ids
        after = users[-1].id


def _at_hour(user: User, now: datetime, hour: int | None) -> bool:
    return hour is None or sched.as_utc(now).astimezone(review.learner_zone(user)).hour == hour


# -- the jobs ---------------------------------------------------------------------------------


async def _learner(ctx: JobContext, preference: str) -> User | None:
    """The job's learner if they still want this email; otherwise the job ends as skipped."""
    if ctx.job.user_id is None:
        raise PermanentJobError("the learner no longer exists")
    user = await ctx.session.get(User, ctx.job.user_id)
    if user is None:
        raise PermanentJobError("the learner no longer exists")
    if not wants_email(user, preference):
        _outcome(ctx, "switched_off")
        return None
    return user


def _at(ctx: JobContext) -> datetime:
    raw = (ctx.job.payload or {}).get("at")
    return datetime.fromisoformat(raw) if raw else utcnow()


def _outcome(ctx: JobContext, outcome: str) -> None:
    ctx.job.payload = {**(ctx.job.payload or {}), "outcome": outcome}


@job(JobName.ACCOUNT_REVIEW_REMINDER, max_attempts=3)
async def send_review_reminder(ctx: JobContext) -> None:
    """Today's (and overdue) reviews of one learner, if any."""
    user = await _learner(ctx, "review_reminders")
    if user is None:
        return
    due = (await review.schedule(ctx.session, user, _at(ctx)))["overdue_or_today"]
    if not due:
        _outcome(ctx, "nothing_due")
        return
    await ctx.services.email.send(review_email(ctx.services, user, due))
    _outcome(ctx, "sent")


@job(JobName.ACCOUNT_WEEKLY_SUMMARY, max_attempts=3)
async def send_weekly_summary(ctx: JobContext) -> None:
    """The learner's last seven days and the week ahead, if there is anything to tell."""
    user = await _learner(ctx, "weekly_summary")
    if user is None:
        return
    week = await review.weekly(ctx.session, user, ctx.services, _at(ctx))
    active = week["concepts_practised"] or week["sessions_completed"]
    if not active and not sum(week["due"]["counts"].values()):
        _outcome(ctx, "nothing_to_report")
        return
    await ctx.services.email.send(weekly_email(ctx.services, user, week))
    _outcome(ctx, "sent")


# -- the messages -----------------------------------------------------------------------------


def _links(services: Services) -> tuple[str, str]:
    base = services.settings.base_url.rstrip("/")
    return f"{base}/progress", f"{base}/settings?tab=notifications"


def review_email(services: Services, user: User, due: list[dict[str, Any]]) -> Email:
    progress, settings = _links(services)
    count = len(due)
    subject = (
        "1 concept is ready for review" if count == 1 else f"{count} concepts are ready for review"
    )
    lines = [f"- {item['concept_title']} ({item['content_title']})" for item in due[:LISTED]]
    if count > LISTED:
        lines.append(f"- and {count - LISTED} more")
    text = (
        f"Hi {user.name},\n\n"
        "Explaining these again today, before you forget them, keeps them for much longer:\n\n"
        + "\n".join(lines)
        + f"\n\nStart a review: {progress}\n\n"
        f"You get this email because review reminders are on. Turn them off: {settings}\n\n"
        "— Learning OS\n"
    )
    return Email(to=user.email, subject=subject, text=text)


def weekly_email(services: Services, user: User, week: dict[str, Any]) -> Email:
    progress, settings = _links(services)
    counts = week["due"]["counts"]
    due_week = counts["overdue_or_today"] + counts["tomorrow"] + counts["this_week"]
    figures = [
        f"Sessions completed: {week['sessions_completed']}",
        f"Time learning: {week['minutes']} min",
        f"Concepts practised: {week['concepts_practised']}",
    ]
    change = week.get("average_confidence_change")
    if change is not None:
        figures.append(f"Average confidence change: {round(change * 100):+d} points")
    figures.append(f"Reviews due in the coming week: {due_week}")
    weak = [f"- {point['concept_title']}" for point in week["weak_areas"][:5]]
    summary = str((week.get("report") or {}).get("summary") or "").strip()
    parts = [
        f"Hi {user.name},\n\nYour week from {week['first_day']} to {week['last_day']}:\n",
        "\n".join(figures),
    ]
    if summary:
        parts.append(summary)
    if weak:
        parts.append("Worth another look:\n" + "\n".join(weak))
    parts.append(f"See your progress: {progress}")
    parts.append(f"You get this email because the weekly summary is on. Turn it off: {settings}")
    return Email(
        to=user.email,
        subject="Your week in Learning OS",
        text="\n\n".join(parts) + "\n\n— Learning OS\n",
    )
