"""Learning jobs: (re)generate a content item's learning map."""

from __future__ import annotations

import uuid

from learningos.ai.gateway import Caller
from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.learning.maps import generate_map
from learningos.models.content import Content
from learningos.models.jobs import JobName


@job(JobName.LEARNING_GENERATE_MAP, max_attempts=3)
async def generate_map_job(ctx: JobContext) -> None:
    content_id = uuid.UUID(ctx.job.payload["content_id"])
    content = await ctx.session.get(Content, content_id)
    if content is None:
        raise PermanentJobError("the content no longer exists")
    caller = Caller(user_id=ctx.job.user_id, content_id=content.id, check_budget=False)
    try:
        payload = ctx.job.payload
        await generate_map(
            ctx.session,
            ctx.services,
            content,
            caller,
            granularity=payload.get("granularity", "default"),
            preview=bool(payload.get("preview", False)),
        )
    except ValueError as exc:
        raise PermanentJobError(
            f"No learning map could be built from this material: {exc}"
        ) from exc
