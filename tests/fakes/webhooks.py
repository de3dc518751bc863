"""Webhook deliveries as the providers send them: real body shapes and real signature
headers (payments-facts.md), signed with the test secrets. Sales and donation tests build
on these."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from learningos.webhooks.signing import lemon_squeezy_signature, paddle_signature_header

LEMON_SQUEEZY_SECRET = "test-lemon-squeezy-signing-secret"
PADDLE_SECRET = "pdl_ntfset_test_secret_0123456789"
LEMON_SQUEEZY_PATH = "/api/v1/webhook/lemon-squeezy"
PADDLE_PATH = "/api/v1/webhook/paddle"


def use_test_secrets(monkeypatch: Any, settings: Any) -> None:
    """Configure both providers' signing secrets on the running app's settings."""
    monkeypatch.setattr(settings, "lemonsqueezy_webhook_secret", SecretStr(LEMON_SQUEEZY_SECRET))
    monkeypatch.setattr(settings, "paddle_webhook_secret", SecretStr(PADDLE_SECRET))


def lemon_squeezy_body(
    event_name: str = "order_created",
    resource_id: str | None = None,
    updated_at: str | None = None,
    custom: dict[str, str] | None = None,
    attributes: dict[str, Any] | None = None,
) -> bytes:
    """A Lemon Squeezy webhook body (JSON:API): meta.event_name, meta.custom_data, and the
    resource in data."""
    now = updated_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "meta": {"test_mode": True, "event_name": event_name, "custom_data": custom or {}},
        "data": {
            "type": "orders",
            "id": resource_id or str(uuid.uuid4().int % 10**7),
            "attributes": {
                "store_id": 1,
                "status": "paid",
                "currency": "USD",
                "total": 1000,
                "created_at": now,
                "updated_at": now,
                **(attributes or {}),
            },
        },
    }
    return json.dumps(body).encode()


def lemon_squeezy_headers(
    body: bytes, secret: str = LEMON_SQUEEZY_SECRET, event_name: str | None = None
) -> dict[str, str]:
    name = event_name or json.loads(body)["meta"]["event_name"]
    return {
        "Content-Type": "application/json",
        "X-Event-Name": name,
        "X-Signature": lemon_squeezy_signature(body, secret),
    }


def paddle_body(
    event_type: str = "transaction.completed",
    event_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> bytes:
    """A Paddle Billing notification: event_id, event_type, occurred_at, notification_id,
    and the entity in data."""
    body = {
        "event_id": event_id or f"evt_{uuid.uuid4().hex[:26]}",
        "event_type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "notification_id": f"ntf_{uuid.uuid4().hex[:26]}",
        "data": data or {"id": f"txn_{uuid.uuid4().hex[:26]}", "status": "completed"},
    }
    return json.dumps(body).encode()


def paddle_headers(
    body: bytes, secret: str = PADDLE_SECRET, ts: int | None = None
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Paddle-Signature": paddle_signature_header(body, secret, ts),
    }
