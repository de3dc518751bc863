from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select

from learningos.kit.repository import Repository
from learningos.models.jobs import Job, JobStatus
from learningos.models.user import Role, User


class JobRepository(Repository[Job]):
    model = Job

    async def get_visible(self, job_id: uuid.UUID, user: User) -> Job | None:
        query = self.base_query().where(Job.id == job_id)
        if user.role != Role.ADMIN.value:
            query = query.where(Job.user_id == user.id)
        return await self.first(query)

    async def unfinished(self, name: str, user_id: uuid.UUID, **payload: str) -> Job | None:
        """The newest queued or running job of this name and user whose payload has these
        values (e.g. the processing job of one content item)."""
        query = (
            self.base_query()
            .where(
                Job.name == name,
                Job.user_id == user_id,
                Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
            )
            .order_by(Job.created_at.desc())
        )
        for job in await self.session.scalars(query):
            if all(job.payload.get(k) == v for k, v in payload.items()):
                return job
        return None

    async def run_seconds(
        self, name: str, user_id: uuid.UUID, *, since: datetime, now: datetime
    ) -> float:
        """Seconds this user's jobs of this name have run between `since` and `now`: each
        from its start to its end, or to now while it runs."""
        query = select(Job.started_at, Job.finished_at).where(
            Job.name == name,
            Job.user_id == user_id,
            Job.started_at.is_not(None),
            Job.started_at < now,
            or_(Job.finished_at.is_(None), Job.finished_at > since),
        )
        total = 0.0
        for started, finished in (await self.session.execute(query)).all():
            begin = max(started or since, since)
            end = min(finished or now, now)
            total += max(0.0, (end - begin).total_seconds())
        return total
