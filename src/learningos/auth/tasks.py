"""Jobs of the auth domain."""

from __future__ import annotations

import uuid

from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.email import Email
from learningos.models.jobs import JobName
from learningos.models.user import User


@job(JobName.AUTH_WELCOME_EMAIL)
async def send_welcome_email(ctx: JobContext) -> None:
    user = await ctx.session.get(User, uuid.UUID(ctx.job.payload["user_id"]))
    if user is None:
        raise PermanentJobError("the user no longer exists")
    base = ctx.services.settings.base_url.rstrip("/")
    text = (
        f"Hi {user.name},\n\n"
        "Welcome to Learning OS. Upload a PDF or your notes, and we will turn it into a "
        "learning map of concepts. Then explain each idea back in your own words: that is "
        "how you find out what you really understand.\n\n"
        f"Start here: {base}/dashboard\n\n"
        "— Learning OS\n"
    )
    await ctx.services.email.send(Email(to=user.email, subject="Welcome to Learning OS", text=text))
