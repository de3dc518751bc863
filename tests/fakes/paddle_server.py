"""A local fake of Paddle Billing's transactions API, served over real HTTP.

    with FakePaddle(api_key="pdl_test_key") as fake:
        fake.enqueue(status(503), status(500))   # then the default: a created transaction
        ...  # point LEARNINGOS_PADDLE_API_URL at fake.base_url
        assert fake.requests[-1].json["custom_data"]["donation_id"] == "…"

`POST /transactions` answers like Paddle: 201 with `{"data": {transaction}, "meta":
{"request_id"}}`; the transaction has `id` "txn_…", `status` "ready", the request's items,
`custom_data` and `currency_code`, and `checkout.url` (the request's `checkout.url`, else the
fake's default payment link) with `?_ptxn=<id>`. Errors use Paddle's shape `{"error": {type,
code, detail, documentation_url}, "meta": {request_id}}`. A missing or wrong
`Authorization: Bearer` gets 403 `authentication_malformed`/`forbidden` before the queue. A
request whose body lacks what Paddle requires for a non-catalogue price (items with
`price.description`, `price.unit_price.amount` as a string of digits and `currency_code`, and
`price.product` or `price.product_id`) gets 400 `bad_request`.
"""

from __future__ import annotations

import asyncio
import collections
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.threaded import ThreadedServer

DEFAULT_API_KEY = "pdl_sdbx_apikey_test"
DEFAULT_PAYMENT_LINK = "https://pay.example.com/checkout"

_ERRORS = {
    400: ("request_error", "bad_request", "Invalid request."),
    403: ("request_error", "forbidden", "You aren't permitted to perform this request."),
    429: ("request_error", "too_many_requests", "IP address exceeded the allowed rate limit."),
    500: ("api_error", "internal_error", "An internal error has occurred."),
    502: ("api_error", "bad_gateway", "Bad gateway."),
    503: ("api_error", "service_unavailable", "Service unavailable."),
}


@dataclass(frozen=True)
class Status:
    status: int
    code: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Delay:
    seconds: float


@dataclass(frozen=True)
class NoCheckoutUrl:
    """A created transaction whose `checkout.url` is null (no default payment link set)."""


def status(code: int, error_code: str | None = None, detail: str | None = None) -> Status:
    return Status(code, error_code, detail)


def delay(seconds: float) -> Delay:
    return Delay(seconds)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


@dataclass
class _State:
    queue: collections.deque[Any] = field(default_factory=collections.deque)
    requests: list[Recorded] = field(default_factory=list)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)


def _request_id() -> str:
    return f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"


def error_body(code: int, error_code: str | None = None, detail: str | None = None) -> dict:
    kind, default_code, default_detail = _ERRORS.get(code, ("api_error", "error", "Error."))
    name = error_code or default_code
    return {
        "error": {
            "type": kind,
            "code": name,
            "detail": detail or default_detail,
            "documentation_url": f"https://developer.paddle.com/v1/errors/shared/{name}",
        },
        "meta": {"request_id": _request_id()},
    }


def _invalid_items(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list) or not body["items"]:
        return "items is required"
    for item in body["items"]:
        price = item.get("price") if isinstance(item, dict) else None
        if not isinstance(price, dict):
            if isinstance(item, dict) and isinstance(item.get("price_id"), str):
                continue
            return "items[].price or items[].price_id is required"
        unit = price.get("unit_price")
        if not isinstance(price.get("description"), str) or not price["description"]:
            return "price.description is required"
        if not isinstance(unit, dict) or not str(unit.get("amount", "")).isdigit():
            return "price.unit_price.amount must be a string of digits"
        if not isinstance(unit.get("amount"), str):
            return "price.unit_price.amount must be a string"
        if not isinstance(unit.get("currency_code"), str):
            return "price.unit_price.currency_code is required"
        if "product" not in price and "product_id" not in price:
            return "price.product or price.product_id is required"
    return None


class FakePaddle(ThreadedServer):
    name = "fake Paddle server"

    def __init__(self, api_key: str = DEFAULT_API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self._state = _State()
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._state.requests)

    def transaction(self, txn_id: str) -> dict[str, Any]:
        with self._lock:
            return self._state.transactions[txn_id]

    def enqueue(self, *behaviours: Any) -> None:
        with self._lock:
            self._state.queue.extend(behaviours)

    def reset(self) -> None:
        with self._lock:
            self._state = _State()

    def _next(self) -> Any:
        with self._lock:
            return self._state.queue.popleft() if self._state.queue else None

    def _app(self) -> Starlette:
        return Starlette(routes=[Route("/transactions", self._create, methods=["POST"])])

    async def _create(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            self._state.requests.append(
                Recorded("POST", "/transactions", dict(request.headers), body)
            )
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return JSONResponse(error_body(403, "authentication_malformed"), status_code=403)
        if auth.removeprefix("Bearer ") != self.api_key:
            return JSONResponse(error_body(403, "forbidden"), status_code=403)
        behaviour = self._next()
        if isinstance(behaviour, Delay):  # then a created transaction (the queue is not read
            await asyncio.sleep(behaviour.seconds)  # again: the client gave up meanwhile)
            behaviour = None
        if isinstance(behaviour, Status):
            return JSONResponse(
                error_body(behaviour.status, behaviour.code, behaviour.detail),
                status_code=behaviour.status,
            )
        problem = _invalid_items(body)
        if problem:
            return JSONResponse(error_body(400, "bad_request", problem), status_code=400)
        assert isinstance(body, dict)
        txn_id = "txn_" + secrets.token_hex(13)
        link = (body.get("checkout") or {}).get("url") or DEFAULT_PAYMENT_LINK
        url = None if isinstance(behaviour, NoCheckoutUrl) else f"{link}?_ptxn={txn_id}"
        transaction = {
            "id": txn_id,
            "status": "ready",
            "customer_id": None,
            "address_id": None,
            "business_id": None,
            "custom_data": body.get("custom_data"),
            "origin": "api",
            "collection_mode": body.get("collection_mode", "automatic"),
            "subscription_id": None,
            "invoice_id": None,
            "invoice_number": None,
            "billing_details": None,
            "billing_period": None,
            "currency_code": body.get("currency_code", "USD"),
            "discount_id": None,
            "created_at": "2026-12-04T19:00:00.000000Z",
            "updated_at": "2026-12-04T19:00:00.000000Z",
            "billed_at": None,
            "items": body["items"],
            "details": None,
            "payments": [],
            "checkout": {"url": url},
        }
        with self._lock:
            self._state.transactions[txn_id] = transaction
        return JSONResponse(
            {"data": transaction, "meta": {"request_id": _request_id()}}, status_code=201
        )
