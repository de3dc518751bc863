"""Paddle Billing notification bodies in Paddle's real shape, for the local test checkout (and
the tests): `{"event_id", "event_type", "occurred_at", "notification_id", "data"}` where data
is a transaction (`transaction.completed`) or an adjustment (`adjustment.*`). Amounts are
strings of minor units, as Paddle sends them."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def notification(event_type: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    body = {
        "event_id": event_id or f"evt_{secrets.token_hex(13)}",
        "event_type": event_type,
        "occurred_at": _now(),
        "notification_id": f"ntf_{secrets.token_hex(13)}",
        "data": data,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def fee_of(amount_cents: int) -> int:
    """Paddle's published fee, 5 % + $0.50, for test bodies."""
    return min(amount_cents - 1, (amount_cents * 5 + 99) // 100 + 50)


def completed_transaction(
    *,
    txn_id: str,
    donation_id: uuid.UUID | str | None,
    amount_cents: int,
    currency: str = "USD",
    fee_cents: int | None = None,
    tax_cents: int = 0,
) -> dict[str, Any]:
    fee = fee_of(amount_cents) if fee_cents is None else fee_cents
    totals = {
        "subtotal": str(amount_cents - tax_cents),
        "discount": "0",
        "tax": str(tax_cents),
        "total": str(amount_cents),
        "credit": "0",
        "balance": "0",
        "grand_total": str(amount_cents),
        "fee": str(fee),
        "earnings": str(amount_cents - tax_cents - fee),
        "currency_code": currency,
    }
    return {
        "id": txn_id,
        "status": "completed",
        "customer_id": f"ctm_{secrets.token_hex(13)}",
        "origin": "web",
        "collection_mode": "automatic",
        "currency_code": currency,
        "custom_data": {"donation_id": str(donation_id)} if donation_id else None,
        "billed_at": _now(),
        "created_at": _now(),
        "updated_at": _now(),
        "items": [
            {
                "quantity": 1,
                "price": {
                    "id": f"pri_{secrets.token_hex(13)}",
                    "description": "Donation",
                    "unit_price": {"amount": str(amount_cents), "currency_code": currency},
                },
            }
        ],
        "details": {"totals": totals},
        "payments": [{"status": "captured", "amount": str(amount_cents)}],
        "checkout": {"url": None},
    }


def refund_adjustment(
    *,
    txn_id: str,
    amount_cents: int,
    status: str = "approved",
    currency: str = "USD",
    kind: str = "full",
    adjustment_id: str | None = None,
    fee_cents: int | None = None,
) -> dict[str, Any]:
    fee = fee_of(amount_cents) if fee_cents is None else fee_cents
    return {
        "id": adjustment_id or f"adj_{secrets.token_hex(13)}",
        "action": "refund",
        "type": kind,
        "transaction_id": txn_id,
        "subscription_id": None,
        "customer_id": f"ctm_{secrets.token_hex(13)}",
        "reason": "Requested by the donor",
        "currency_code": currency,
        "status": status,
        "items": [],
        "totals": {
            "subtotal": str(amount_cents),
            "tax": "0",
            "total": str(amount_cents),
            "fee": str(fee),
            "earnings": str(amount_cents - fee),
            "currency_code": currency,
        },
        "created_at": _now(),
        "updated_at": _now(),
    }
