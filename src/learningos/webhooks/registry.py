"""Handlers of provider events, registered by the domains that act on them:

    @handles(PaymentProvider.LEMON_SQUEEZY, "order_created")
    async def on_order_created(session, event, payload) -> None: ...

A handler runs inside the processing job's transaction (its writes commit with the event's
new status, or roll back together). `raise NotReady("why")` when the event cannot be applied
yet (a refund before its order): the event waits and is retried later. Any other exception
fails the event with the error recorded. The modules holding handlers are listed in
webhooks/modules.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models.webhooks import PaymentProvider, WebhookEvent

Handler = Callable[[AsyncSession, WebhookEvent, dict[str, Any]], Awaitable[None]]

_HANDLERS: dict[tuple[str, str], Handler] = {}


class NotReady(Exception):
    """The event cannot be applied yet (what it refers to has not arrived); retry later."""


def handles(provider: PaymentProvider, event_name: str) -> Callable[[Handler], Handler]:
    """Register the decorated coroutine as the handler of `event_name` from `provider`."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[(PaymentProvider(provider).value, event_name)] = fn
        return fn

    return register


def find_handler(provider: str, event_name: str) -> Handler | None:
    return _HANDLERS.get((provider, event_name))


def unregister(provider: PaymentProvider, event_name: str) -> None:
    """Forget a handler (tests register their own and remove them after)."""
    _HANDLERS.pop((PaymentProvider(provider).value, event_name), None)
