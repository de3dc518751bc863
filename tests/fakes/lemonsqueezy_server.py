"""A local fake of the Lemon Squeezy checkouts API, served over real HTTP.

    with FakeLemonSqueezy(api_key="ls-test-key") as fake:
        fake.enqueue(500, None)           # one 500, then the default success
        ...  # point LEARNINGOS_LEMONSQUEEZY_API_URL at fake.base_url
        assert fake.requests[-1].json["data"]["attributes"]["custom_price"] == 999

`POST /v1/checkouts` answers as Lemon Squeezy does: `201` with a JSON:API `checkouts`
document whose `data.attributes.url` is the checkout page. It checks what the real API
checks first: `Accept`/`Content-Type: application/vnd.api+json` (else 415/406 in JSON:API
error form), `Authorization: Bearer <key>` (else 401 "Unauthenticated."), `data.type`,
the store and variant relationships (else 422 with a `source.pointer`). Queued behaviours
(status, optional errors body) are consumed first in, first out.
"""

from __future__ import annotations

import collections
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.threaded import ThreadedServer

JSON_API = "application/vnd.api+json"
DEFAULT_API_KEY = "ls-test-key"


@dataclass
class Recorded:
    headers: dict[str, str]
    json: Any


def _errors(status: int, *items: dict[str, Any]) -> Response:
    return JSONResponse(
        {"jsonapi": {"version": "1.0"}, "errors": list(items)},
        status_code=status,
        media_type=JSON_API,
    )


def _error(status: int, title: str, detail: str, pointer: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"status": str(status), "title": title, "detail": detail}
    if pointer:
        item["source"] = {"pointer": pointer}
    return item


class FakeLemonSqueezy(ThreadedServer):
    name = "fake Lemon Squeezy"

    def __init__(
        self, api_key: str = DEFAULT_API_KEY, store_id: str = "11", variant_id: str = "22"
    ):
        super().__init__()
        self.api_key = api_key
        self.store_id, self.variant_id = store_id, variant_id
        self.requests: list[Recorded] = []
        self._queue: collections.deque[tuple[int, dict[str, Any] | None]] = collections.deque()
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def enqueue(self, status: int, error: dict[str, Any] | None = None) -> None:
        """The next request answers `status` (with `error` as its one JSON:API error)."""
        with self._lock:
            self._queue.append((status, error))

    def _app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/checkouts", self._checkouts, methods=["POST"])])

    async def _checkouts(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(Recorded(dict(request.headers), body))
            queued = self._queue.popleft() if self._queue else None
        if request.headers.get("accept") != JSON_API:
            return _errors(
                406, _error(406, "Not Acceptable", "Accept must be application/vnd.api+json.")
            )
        if request.headers.get("content-type") != JSON_API:
            return _errors(
                415,
                _error(
                    415, "Unsupported Media Type", "Content-Type must be application/vnd.api+json."
                ),
            )
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _errors(401, _error(401, "Unauthenticated.", "Unauthenticated."))
        if queued is not None:
            status, error = queued
            if status >= 500:
                return _errors(status, _error(status, "Server Error", "Something went wrong."))
            return _errors(status, error or _error(status, "Error", "Refused."))
        return self._created(body)

    def _created(self, body: Any) -> Response:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or data.get("type") != "checkouts":
            return _errors(
                422,
                _error(422, "Unprocessable Entity", "The type field is required.", "/data/type"),
            )
        relationships = data.get("relationships") or {}
        for name, wanted in (("store", self.store_id), ("variant", self.variant_id)):
            related = (relationships.get(name) or {}).get("data") or {}
            if related.get("type") != f"{name}s" or not isinstance(related.get("id"), str):
                return _errors(
                    422,
                    _error(
                        422,
                        "Unprocessable Entity",
                        f"The {name} field is required.",
                        f"/data/relationships/{name}",
                    ),
                )
            if related["id"] != wanted:
                return _errors(404, _error(404, "Not Found", f"The related {name} does not exist."))
        attributes = data.get("attributes") or {}
        price = attributes.get("custom_price")
        if price is not None and (type(price) is not int or price < 0):
            return _errors(
                422,
                _error(
                    422,
                    "Unprocessable Entity",
                    "The custom price must be a positive integer.",
                    "/data/attributes/custom_price",
                ),
            )
        checkout_id = str(uuid.uuid4())
        document = {
            "jsonapi": {"version": "1.0"},
            "links": {"self": f"https://api.lemonsqueezy.com/v1/checkouts/{checkout_id}"},
            "data": {
                "type": "checkouts",
                "id": checkout_id,
                "attributes": {
                    "store_id": int(self.store_id),
                    "variant_id": int(self.variant_id),
                    "custom_price": price,
                    "product_options": attributes.get("product_options") or {},
                    "checkout_options": attributes.get("checkout_options") or {},
                    "checkout_data": attributes.get("checkout_data") or {},
                    "expires_at": attributes.get("expires_at"),
                    "created_at": "2026-12-04T12:00:00.000000Z",
                    "updated_at": "2026-12-04T12:00:00.000000Z",
                    "test_mode": bool(attributes.get("test_mode")),
                    "url": f"https://learningos.lemonsqueezy.com/checkout/custom/{checkout_id}?signature=abc",
                },
                "relationships": {},
                "links": {"self": f"https://api.lemonsqueezy.com/v1/checkouts/{checkout_id}"},
            },
        }
        return JSONResponse(document, status_code=201, media_type=JSON_API)
