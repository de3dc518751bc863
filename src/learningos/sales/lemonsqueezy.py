"""The Lemon Squeezy checkouts API (JSON:API over httpx): create a checkout whose price is
ours (`custom_price`, cents) with our purchase id in `checkout_data.custom`. Retried on 5xx
answers, 429 and timeouts (tenacity); a 4xx answer is raised at once with Lemon Squeezy's
own error text. Called outside any database transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from learningos.config import Settings
from learningos.kit.errors import AppError
from learningos.kit.logging import get_logger

log = get_logger(__name__)
JSON_API = "application/vnd.api+json"


class ProcessorError(AppError):
    """The payment processor refused or failed to create the checkout."""

    status_code = 502
    code = "processor_error"
    message = "The payment processor could not start the checkout. Try again in a moment."


class _Retryable(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text[:300]}")
        self.status = status


@dataclass(frozen=True)
class CheckoutRequest:
    purchase_id: uuid.UUID
    price_cents: int
    product_name: str
    redirect_url: str
    email: str | None = None
    name: str | None = None
    expires_at: datetime | None = None


def checkout_body(settings: Settings, request: CheckoutRequest) -> dict[str, Any]:
    """The JSON:API document for `POST /v1/checkouts`."""
    attributes: dict[str, Any] = {
        "custom_price": request.price_cents,
        "product_options": {
            "name": request.product_name[:200],
            "redirect_url": request.redirect_url,
            "enabled_variants": [int(settings.lemonsqueezy_variant_id or 0)],
        },
        "checkout_data": {
            # Custom values come back in every webhook's meta.custom_data, as strings.
            "custom": {"purchase_id": str(request.purchase_id)},
        },
        "test_mode": settings.lemonsqueezy_test_mode,
    }
    if request.email:
        attributes["checkout_data"]["email"] = request.email
    if request.name:
        attributes["checkout_data"]["name"] = request.name
    if request.expires_at is not None:
        attributes["expires_at"] = request.expires_at.isoformat()
    return {
        "data": {
            "type": "checkouts",
            "attributes": attributes,
            "relationships": {
                "store": {"data": {"type": "stores", "id": str(settings.lemonsqueezy_store_id)}},
                "variant": {
                    "data": {"type": "variants", "id": str(settings.lemonsqueezy_variant_id)}
                },
            },
        }
    }


def _error_text(response: httpx.Response) -> str:
    """Lemon Squeezy's JSON:API `errors[].detail` (or the body's start)."""
    try:
        errors = response.json().get("errors") or []
        details = [str(e.get("detail") or e.get("title") or "") for e in errors]
        text = "; ".join(d for d in details if d)
    except (ValueError, AttributeError):
        text = ""
    return text or response.text[:300] or response.reason_phrase


async def create_checkout(
    settings: Settings,
    request: CheckoutRequest,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> str:
    """Create the checkout and return the URL to send the buyer to (`data.attributes.url`)."""
    if settings.lemonsqueezy_api_key is None:
        raise ProcessorError("Lemon Squeezy is not configured (LEARNINGOS_LEMONSQUEEZY_API_KEY).")
    headers = {
        "Accept": JSON_API,
        "Content-Type": JSON_API,
        "Authorization": f"Bearer {settings.lemonsqueezy_api_key.get_secret_value()}",
    }
    url = settings.lemonsqueezy_api_url.rstrip("/") + "/v1/checkouts"
    body = checkout_body(settings, request)
    retrying = AsyncRetrying(
        stop=stop_after_attempt(settings.lemonsqueezy_max_attempts),
        wait=wait_exponential_jitter(multiplier=0.2, max=3, jitter=0.2),
        retry=retry_if_exception(lambda e: isinstance(e, (_Retryable, httpx.TransportError))),
        reraise=True,
    )
    timeout = httpx.Timeout(settings.lemonsqueezy_timeout_seconds)
    try:
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as client:
            async for attempt in retrying:
                with attempt:
                    response = await client.post(url, json=body, headers=headers)
                    if response.status_code >= 500 or response.status_code == 429:
                        raise _Retryable(response.status_code, response.text)
    except (_Retryable, httpx.TransportError) as exc:
        log.warning("sales.checkout_failed", purchase_id=str(request.purchase_id), error=str(exc))
        raise ProcessorError() from exc
    if response.status_code != 201 and response.status_code != 200:
        reason = _error_text(response)
        log.warning(
            "sales.checkout_refused",
            purchase_id=str(request.purchase_id),
            status=response.status_code,
            reason=reason,
        )
        raise ProcessorError(
            f"Lemon Squeezy refused the checkout ({response.status_code}): {reason}"
        )
    try:
        return str(response.json()["data"]["attributes"]["url"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ProcessorError("Lemon Squeezy's answer had no checkout URL.") from exc
