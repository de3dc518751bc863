"""Lemon Squeezy order events → purchases (registered with the webhook inbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models.webhooks import PaymentProvider, WebhookEvent
from learningos.sales import orders
from learningos.webhooks.registry import handles


@handles(PaymentProvider.LEMON_SQUEEZY, "order_created")
async def on_order_created(
    session: AsyncSession, event: WebhookEvent, payload: dict[str, Any]
) -> None:
    await orders.order_created(session, payload)


@handles(PaymentProvider.LEMON_SQUEEZY, "order_refunded")
async def on_order_refunded(
    session: AsyncSession, event: WebhookEvent, payload: dict[str, Any]
) -> None:
    await orders.order_refunded(session, payload)
