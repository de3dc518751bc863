from __future__ import annotations

import uuid

from learningos.kit.repository import Repository
from learningos.models.jobs import Job
from learningos.models.user import Role, User


class JobRepository(Repository[Job]):
    model = Job

    async def get_visible(self, job_id: uuid.UUID, user: User) -> Job | None:
        query = self.base_query().where(Job.id == job_id)
        if user.role != Role.ADMIN.value:
            query = query.where(Job.user_id == user.id)
        return await self.first(query)
