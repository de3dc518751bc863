"""Per-learner AI budgets by tier (USD per day and month, answered calls per day), checked
before every call. The offline engine costs nothing, so only the daily call cap applies to it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ai.repository import AIUsageRepository
from learningos.ai.routing import OFFLINE
from learningos.config import Settings
from learningos.kit.errors import AIBudgetExceeded
from learningos.models.user import Tier

if TYPE_CHECKING:
    from learningos.ai.gateway import AIGateway, Caller


@dataclass(frozen=True)
class Budget:
    daily_usd: Decimal
    monthly_usd: Decimal
    daily_calls: int


def budget_for(settings: Settings, tier: str) -> Budget:
    if tier == Tier.SUBSCRIBER:
        return Budget(
            Decimal(str(settings.ai_budget_subscriber_daily_usd)),
            Decimal(str(settings.ai_budget_subscriber_monthly_usd)),
            settings.ai_calls_subscriber_daily,
        )
    return Budget(
        Decimal(str(settings.ai_budget_free_daily_usd)),
        Decimal(str(settings.ai_budget_free_monthly_usd)),
        settings.ai_calls_free_daily,
    )


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(now: datetime) -> datetime:
    return _day_start(now).replace(day=1)


def _next_month(now: datetime) -> datetime:
    start = _month_start(now)
    return (start + timedelta(days=32)).replace(day=1)


async def check_budget(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    tier: str,
    *,
    paid: bool,
    now: datetime | None = None,
) -> None:
    """Raise AIBudgetExceeded when the learner may not make another call. `paid` is whether
    the call may reach a paid provider (the money budgets apply only then)."""
    now = now or datetime.now(UTC)
    budget = budget_for(settings, tier)
    repo = AIUsageRepository(session)
    day_spent, day_calls = await repo.spent_since(user_id, _day_start(now))
    to_midnight = int((_day_start(now) + timedelta(days=1) - now).total_seconds())
    plan = "subscriber plan" if tier == Tier.SUBSCRIBER else "free plan"
    if day_calls >= budget.daily_calls:
        raise AIBudgetExceeded(
            f"You have reached today's limit of {budget.daily_calls} AI replies on the {plan}. "
            "It resets at midnight UTC.",
            retry_after=to_midnight,
            details={"period": "day", "limit_calls": budget.daily_calls, "tier": tier},
        )
    if not paid:
        return
    if day_spent >= budget.daily_usd:
        raise AIBudgetExceeded(
            f"You have used today's AI allowance on the {plan} (${budget.daily_usd}). "
            "It resets at midnight UTC.",
            retry_after=to_midnight,
            details={"period": "day", "limit_usd": str(budget.daily_usd), "tier": tier},
        )
    month_spent, _ = await repo.spent_since(user_id, _month_start(now))
    if month_spent >= budget.monthly_usd:
        raise AIBudgetExceeded(
            f"You have used this month's AI allowance on the {plan} (${budget.monthly_usd}). "
            "It renews on the first of next month.",
            retry_after=int((_next_month(now) - now).total_seconds()),
            details={"period": "month", "limit_usd": str(budget.monthly_usd), "tier": tier},
        )


async def check_before_release(
    session: AsyncSession, ai: AIGateway, role: str, caller: Caller
) -> Caller:
    """Check the learner's budget for a call of `role` now, in the caller's transaction, and
    return the caller with the gateway's own check turned off: for a caller that releases its
    connection before the call (Database.release), so the call itself reads nothing."""
    if caller.check_budget and caller.user_id is not None:
        paid = any(link.provider != OFFLINE for link in ai.table[role])
        await check_budget(session, ai.settings, caller.user_id, caller.tier, paid=paid)
    return replace(caller, check_budget=False)
