"""The providers' webhook endpoints: verify the raw body's signature, store the event once,
queue its processing (sent after the commit) and answer 200 at once.

No sign-in and no CSRF token: the signature is the authentication. A missing, forged or
stale signature answers 401 in the API's error shape and stores nothing; a signed body that
is not an event of that provider answers 400 and stores nothing (the provider's retries get
the same answer, and the error is in the log). A duplicate delivery answers 200 and changes
nothing. Each client IP is rate limited per endpoint.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel

from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.models.webhooks import PaymentProvider
from learningos.services import Services
from learningos.webhooks import service, verify

router = api_router("/api/v1/webhook", ["webhooks"])

RAW_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The provider's event, exactly as it signed it.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


class WebhookAccepted(BaseModel):
    received: bool = True
    duplicate: bool = False


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


async def _limit(services: Services, provider: PaymentProvider, ip: str) -> None:
    await services.limiter.hit(services.settings.webhook_limit_per_ip, "webhook", provider, ip)


@router.post(
    "/lemon-squeezy",
    response_model=WebhookAccepted,
    openapi_extra={
        **RAW_JSON_BODY,
        "parameters": [
            {
                "name": verify.LEMON_SQUEEZY_HEADER,
                "in": "header",
                "required": False,
                "description": "Hex HMAC-SHA256 of the raw body with the signing secret.",
                "schema": {"type": "string"},
            }
        ],
    },
)
async def lemon_squeezy(
    request: Request, session: SessionDep, services: ServicesDep, meta: MetaDep
) -> WebhookAccepted:
    """A Lemon Squeezy event (`X-Signature`: the hex HMAC-SHA256 of the raw body)."""
    provider = PaymentProvider.LEMON_SQUEEZY
    await _limit(services, provider, meta.ip)
    body = await request.body()
    secret = _secret(services.settings.lemonsqueezy_webhook_secret)
    verify.verify_lemon_squeezy(body, request.headers, secret)
    parsed = verify.parse_lemon_squeezy(body)
    new = await service.receive(
        session, services, provider, parsed.event_name, parsed.unique_key, body
    )
    return WebhookAccepted(duplicate=not new)


@router.post(
    "/paddle",
    response_model=WebhookAccepted,
    openapi_extra={
        **RAW_JSON_BODY,
        "parameters": [
            {
                "name": verify.PADDLE_HEADER,
                "in": "header",
                "required": False,
                "description": "ts=<unix seconds>;h1=<hex HMAC-SHA256 of '<ts>:<raw body>'>",
                "schema": {"type": "string"},
            }
        ],
    },
)
async def paddle(
    request: Request, session: SessionDep, services: ServicesDep, meta: MetaDep
) -> WebhookAccepted:
    """A Paddle Billing event (`Paddle-Signature: ts=…;h1=…`, verified by the official SDK)."""
    provider = PaymentProvider.PADDLE
    await _limit(services, provider, meta.ip)
    body = await request.body()
    settings = services.settings
    verify.verify_paddle(
        body,
        request.headers,
        _secret(settings.paddle_webhook_secret),
        settings.paddle_signature_tolerance_seconds,
    )
    parsed = verify.parse_paddle(body)
    new = await service.receive(
        session, services, provider, parsed.event_name, parsed.unique_key, body
    )
    return WebhookAccepted(duplicate=not new)
