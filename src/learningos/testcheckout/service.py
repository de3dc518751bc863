"""The test checkout's one action: sign the processor's webhook bodies for a kind's row and
deliver them to our own webhook endpoint (in-process, through the real route: verification,
the inbox, the processing job), so grants, the ledger and notifications all run."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from fastapi import FastAPI

from learningos.kit.errors import NotFound
from learningos.models.user import User
from learningos.services import Services, test_checkout_secret
from learningos.testcheckout.registry import Described, TestAction, TestKind, find

SETTLE_POLLS, SETTLE_INTERVAL = 30, 0.1
ENDPOINTS = {"lemon_squeezy": "/api/v1/webhook/lemon-squeezy", "paddle": "/api/v1/webhook/paddle"}


def webhook_secret(services: Services, provider: str) -> str:
    """The secret the webhook endpoint verifies with: the configured one, else the test
    checkout's derived one (services.py sets it as the setting when the services start)."""
    configured = getattr(services.settings, f"{provider.replace('_', '')}_webhook_secret", None)
    if configured is not None:
        return str(configured.get_secret_value())
    return test_checkout_secret(services.signing_secret, provider)


def signed_headers(services: Services, provider: str, event: str, body: bytes) -> dict[str, str]:
    """The headers the processor sends with a webhook, signed as it signs them."""
    from learningos.webhooks.signing import lemon_squeezy_signature, paddle_signature_header

    secret = webhook_secret(services, provider)
    headers = {"Content-Type": "application/json"}
    if provider == "lemon_squeezy":
        headers |= {"X-Event-Name": event, "X-Signature": lemon_squeezy_signature(body, secret)}
    else:
        headers["Paddle-Signature"] = paddle_signature_header(body, secret)
    return headers


def kind_or_404(services: Services, kind: str) -> TestKind:
    """The registered kind; 404 in production or when processor keys are set."""
    found = find(kind) if services.settings.test_checkout_enabled else None
    if found is None:
        raise NotFound("There is no test checkout here.")
    return found


async def describe(
    services: Services, user: User, kind: str, ref_id: uuid.UUID
) -> tuple[TestKind, Described]:
    found = kind_or_404(services, kind)
    async with services.db.transaction() as session:
        described = await found.describe(session, user, ref_id)
    if described is None:
        raise NotFound("There is no such checkout.")
    return found, described


async def act(
    app: FastAPI, services: Services, user: User, kind: str, ref_id: uuid.UUID, action: TestAction
) -> Described:
    """Pay or refund: build the bodies (in a read transaction), then post each, signed, to
    our webhook endpoint. Returns what was paid for (the return address)."""
    found, described = await describe(services, user, kind, ref_id)
    allowed = described.can_pay if action == TestAction.PAY else described.can_refund
    if not allowed:
        return described
    async with services.db.transaction() as session:
        bodies = await found.build(session, ref_id, action)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://test-checkout") as client:
        for event, body in bodies:
            headers = signed_headers(services, found.provider, event, body)
            response = await client.post(ENDPOINTS[found.provider], content=body, headers=headers)
            response.raise_for_status()
    return await _settled(services, user, found, ref_id, action) or described


async def _settled(
    services: Services, user: User, found: TestKind, ref_id: uuid.UUID, action: TestAction
) -> Described | None:
    """Wait a little for the processing job, so the buyer lands on the result (the page
    says "confirming" if it takes longer)."""
    for _ in range(SETTLE_POLLS):
        async with services.db.transaction() as session:
            now = await found.describe(session, user, ref_id)
        if now is None or (now.can_refund if action == TestAction.PAY else not now.can_refund):
            return now
        await asyncio.sleep(SETTLE_INTERVAL)
    return None
