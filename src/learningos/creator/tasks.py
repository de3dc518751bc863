"""Jobs of the creator domain."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.email import Email
from learningos.models.jobs import JobName
from learningos.models.sales import TakedownRequest
from learningos.models.user import Role, User


@job(JobName.CREATOR_TAKEDOWN_EMAIL)
async def send_takedown_email(ctx: JobContext) -> None:
    """Every active admin gets the takedown request by email (it is also stored)."""
    row = await ctx.session.get(TakedownRequest, uuid.UUID(ctx.job.payload["id"]))
    if row is None:
        raise PermanentJobError("the takedown request no longer exists")
    admins = await ctx.session.scalars(
        select(User.email).where(User.role == Role.ADMIN, User.is_active.is_(True))
    )
    text = (
        "A copyright takedown request was sent.\n\n"
        f"From: {row.reporter_name} <{row.reporter_email}>\n"
        f"Material: {row.content_url}\n\n"
        f"Original work:\n{row.original_work}\n\n"
        f"Statement:\n{row.statement}\n\n"
        f"Request id: {row.id}\n"
    )
    for address in admins:
        await ctx.services.email.send(
            Email(to=address, subject="Copyright takedown request", text=text)
        )
