"""AI usage rows: recorded per call, summed for budgets."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from learningos.kit.repository import Repository
from learningos.models import AIUsage


class AIUsageRepository(Repository[AIUsage]):
    model = AIUsage

    async def spent_since(self, user_id: uuid.UUID, since: datetime) -> tuple[Decimal, int]:
        """(USD spent, calls answered) by a learner since a moment."""
        query = select(
            func.coalesce(func.sum(AIUsage.cost_usd), 0),
            func.count().filter(AIUsage.ok.is_(True)),
        ).where(AIUsage.user_id == user_id, AIUsage.created_at >= since)
        row = (await self.session.execute(query)).one()
        return Decimal(row[0]), int(row[1])
