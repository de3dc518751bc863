"""Paddle Billing's transactions API: one donation becomes one transaction with a non-catalogue
price (an `items[].price` object with a non-catalogue `product`), our donation id in
`custom_data`, and the checkout URL from the answer (`data.checkout.url`: the default payment
link set in Paddle, or `paddle_checkout_url` when configured, with `?_ptxn=txn_…`).

Called outside any database transaction. Timeouts, connection errors, 429 and 5xx are retried
with exponential backoff (tenacity); any other error is final. The API key never appears in
an error message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from learningos.config import Settings

API_URLS = {"sandbox": "https://sandbox-api.paddle.com", "production": "https://api.paddle.com"}
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class PaddleError(Exception):
    """Paddle refused or could not be reached; `code` is Paddle's error code or ours."""

    def __init__(self, message: str, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class PaddleTransaction:
    id: str  # txn_…
    status: str
    checkout_url: str


def api_url(settings: Settings) -> str:
    return (settings.paddle_api_url or API_URLS[settings.paddle_env]).rstrip("/")


def transaction_body(
    *,
    donation_id: str,
    amount_cents: int,
    currency: str,
    recipient_name: str,
    checkout_url: str | None,
) -> dict[str, Any]:
    """The JSON of `POST /transactions` for one donation. Prices are strings of the currency's
    minor units; `tax_mode: internal` keeps what the donor pays equal to the chosen amount
    (any tax Paddle owes is inside it)."""
    body: dict[str, Any] = {
        "items": [
            {
                "quantity": 1,
                "price": {
                    "description": f"Donation to {recipient_name}"[:200],
                    "name": "Donation",
                    "tax_mode": "internal",
                    "unit_price": {"amount": str(amount_cents), "currency_code": currency},
                    "quantity": {"minimum": 1, "maximum": 1},
                    "product": {
                        "name": f"Donation to {recipient_name}"[:200],
                        "tax_category": "standard",
                    },
                },
            }
        ],
        "currency_code": currency,
        "collection_mode": "automatic",
        "custom_data": {"donation_id": donation_id},
    }
    if checkout_url:
        body["checkout"] = {"url": checkout_url}
    return body


def _retried(exc: BaseException) -> bool:
    if isinstance(exc, PaddleError):
        return exc.status in RETRIED_STATUSES or exc.code in ("timeout", "unreachable")
    return False


class PaddleClient:
    def __init__(self, settings: Settings, *, attempts: int = 3, backoff: float = 0.5) -> None:
        if settings.paddle_api_key is None:
            raise PaddleError("Paddle is not configured (LEARNINGOS_PADDLE_API_KEY).", "no_key")
        self._key = settings.paddle_api_key.get_secret_value()
        self._base = api_url(settings)
        self._timeout = settings.paddle_timeout_seconds
        self._attempts = attempts
        self._backoff = backoff
        self._checkout_url = settings.paddle_checkout_url

    async def create_transaction(
        self, *, donation_id: str, amount_cents: int, currency: str, recipient_name: str
    ) -> PaddleTransaction:
        body = transaction_body(
            donation_id=donation_id,
            amount_cents=amount_cents,
            currency=currency,
            recipient_name=recipient_name,
            checkout_url=self._checkout_url,
        )
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=5),
            retry=retry_if_exception(_retried),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                answer = await self._post("/transactions", body)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise PaddleError("Paddle's answer had no transaction.", "malformed")
        checkout = data.get("checkout") or {}
        url = checkout.get("url") if isinstance(checkout, dict) else None
        if not isinstance(url, str) or not url.startswith("https://"):
            raise PaddleError(
                "Paddle gave no checkout URL: set a default payment link in Paddle "
                "(Checkout settings) or LEARNINGOS_PADDLE_CHECKOUT_URL.",
                "no_checkout_url",
            )
        return PaddleTransaction(
            id=data["id"], status=str(data.get("status", "")), checkout_url=url
        )

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {
            "Authorization": f"Bearer {self._key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(self._base + path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise PaddleError("Paddle did not answer in time.", "timeout") from exc
        except httpx.HTTPError as exc:
            raise PaddleError("Paddle could not be reached.", "unreachable") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400:
            error = answer.get("error") if isinstance(answer, dict) else None
            code = str(error.get("code", "error")) if isinstance(error, dict) else "error"
            detail = str(error.get("detail", "")) if isinstance(error, dict) else ""
            detail = detail.replace(self._key, "[redacted]")[:300]
            raise PaddleError(
                f"Paddle refused the transaction ({response.status_code} {code}): {detail}",
                code,
                response.status_code,
            )
        if answer is None:
            raise PaddleError("Paddle's answer was not JSON.", "malformed")
        return answer
