"""Lemon Squeezy order events → purchases: completion with the grant, the ledger sale and
the notifications; refunds; and every bad input of issue 14 for sales (a replay, duplicates
delivered concurrently, an unknown purchase, an amount mismatch, a refund before its order,
a refund of a refund). After each scenario the ledger check passes."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from email.header import decode_header, make_header

from sqlalchemy import func, select

from learningos.kit.db import utcnow
from learningos.ledger import accounts
from learningos.ledger.checks import run_checks
from learningos.ledger.service import balance
from learningos.models.content import Content, ContentAccess
from learningos.models.ledger import LedgerTransaction
from learningos.models.sales import Purchase
from learningos.models.webhooks import PaymentProvider, WebhookEvent
from learningos.sales.testcheckout import order_payload
from learningos.webhooks import service as inbox
from learningos.webhooks.verify import parse_lemon_squeezy
from tests.conftest import bearer, eventually, signed_in
from tests.integration.test_account import outbox
from tests.integration.test_qdrant_server_mode import run_queued
from tests.integration.test_sales_checkout import paid_item

PROVIDER = PaymentProvider.LEMON_SQUEEZY


async def bought(client, services, price: int = 999):  # type: ignore[no-untyped-def]
    """A paid item and a buyer with a pending purchase: (buyer headers, content id, purchase)."""
    _, content_id = await paid_item(client, services, price=price)
    buyer = bearer(await signed_in(client, "buyer@example.com"))
    made = await client.post(
        "/api/v1/purchase/checkout", json={"content_id": str(content_id)}, headers=buyer
    )
    assert made.status_code == 200, made.text
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, uuid.UUID(made.json()["purchase_id"]))
    return buyer, content_id, purchase


def order_body(purchase: Purchase, event: str = "order_created", **changes) -> bytes:  # type: ignore[no-untyped-def]
    moment = changes.pop("updated_at", None) or (
        purchase.created_at if event == "order_created" else utcnow()
    )
    payload = order_payload(
        purchase, event, title="Stats", email="buyer@example.com", name="Buyer",
        updated_at=moment, refunded=event == "order_refunded", **changes,
    )  # fmt: skip
    return json.dumps(payload).encode()


async def deliver(services, body: bytes) -> bool:  # type: ignore[no-untyped-def]
    """What the endpoint does once the signature is verified (the signature checks are the
    inbox's own tests): store the event once and queue its processing."""
    parsed = parse_lemon_squeezy(body)
    async with services.db.transaction() as session:
        return await inbox.receive(
            session, services, PROVIDER, parsed.event_name, parsed.unique_key, body
        )


async def settled(services) -> list[WebhookEvent]:  # type: ignore[no-untyped-def]
    """Every event, once none is left to process (received)."""
    await run_queued(services, "webhooks.process")

    async def done():  # type: ignore[no-untyped-def]
        async with services.db.transaction() as session:
            events = list(await session.scalars(select(WebhookEvent)))
        return events if all(e.status != "received" for e in events) else None

    return await eventually(done)


async def state(services, purchase_id):  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, purchase_id)
        grants = list(
            await session.scalars(
                select(ContentAccess).where(ContentAccess.access_type == "purchased")
            )
        )
        keys = sorted(await session.scalars(select(LedgerTransaction.key)))
        problems = await run_checks(session)
    return purchase, grants, keys, problems


async def can_read(client, buyer, content_id) -> bool:  # type: ignore[no-untyped-def]
    return (await client.get(f"/api/v1/content/{content_id}", headers=buyer)).status_code == 200


async def test_a_paid_order_completes_grants_posts_and_notifies(client, services):
    buyer, content_id, purchase = await bought(client, services)
    assert not await can_read(client, buyer, content_id)
    assert await deliver(services, order_body(purchase))
    events = await settled(services)
    assert [e.status for e in events] == ["processed"]
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "completed" and row.completed_at is not None
    assert row.provider_order_id is not None
    assert [(g.user_id, g.revoked_at) for g in grants] == [(row.buyer_id, None)]
    assert keys == [f"sale:lemon_squeezy:{row.provider_order_id}"] and problems == []
    assert await can_read(client, buyer, content_id)
    async with services.db.transaction() as session:
        seller = row.seller_id
        assert await balance(session, accounts.creator_pending(seller)) == 749
        assert await balance(session, accounts.platform_revenue()) == 150
        assert await balance(session, accounts.processor_fees(PROVIDER)) == 100
        assert await balance(session, accounts.processor_clearing(PROVIDER)) == -999
        assert (await session.get(Content, content_id)).sales_count == 1
    purchased = await client.get("/api/v1/content/purchased", headers=buyer)
    assert [c["id"] for c in purchased.json()] == [str(content_id)]
    await run_queued(services, "sales.purchase_email")

    async def mails():  # type: ignore[no-untyped-def]
        subjects = [
            (m["To"], str(make_header(decode_header(m["Subject"])))) for m in outbox(services)
        ]
        found = {to: subject for to, subject in subjects if "“Stats”" in subject}
        return found if len(found) == 2 else None

    found = await eventually(mails)
    assert found == {
        "buyer@example.com": "You bought “Stats”",
        "creator@example.com": "You sold “Stats”",
    }

    # A replay (the same delivery again) stores nothing and changes nothing.
    assert not await deliver(services, order_body(purchase))
    # The same order with a later updated_at is a new event, and still changes nothing.
    later = order_body(purchase, updated_at=utcnow() + timedelta(minutes=5))
    assert await deliver(services, later)
    events = await settled(services)
    assert [e.status for e in events] == ["processed", "processed"]
    again = await state(services, purchase.id)
    assert (again[0].status, len(again[1]), again[2], again[3]) == ("completed", 1, keys, [])


async def test_a_refund_revokes_and_reverses_once(client, services):
    buyer, content_id, purchase = await bought(client, services)
    await deliver(services, order_body(purchase))
    await settled(services)
    refund = order_body(purchase, "order_refunded")
    assert await deliver(services, refund)
    await settled(services)
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "refunded" and row.refunded_at is not None
    assert [g.revoked_at is not None for g in grants] == [True]
    assert len(keys) == 2 and problems == []
    assert not await can_read(client, buyer, content_id)
    async with services.db.transaction() as session:
        for account in (
            accounts.creator_pending(row.seller_id),
            accounts.platform_revenue(),
            accounts.processor_clearing(PROVIDER),
        ):
            assert await balance(session, account) == 0
        assert (await session.get(Content, content_id)).sales_count == 0
    # A refund of a refund (another delivery, later updated_at): nothing more moves.
    second = order_body(purchase, "order_refunded", updated_at=utcnow() + timedelta(minutes=1))
    assert await deliver(services, second)
    events = await settled(services)
    assert [e.status for e in events] == ["processed"] * 3
    again = await state(services, purchase.id)
    assert again[0].status == "refunded" and again[2] == keys and again[3] == []
    # The refunded buyer may buy again.
    made = await client.post(
        "/api/v1/purchase/checkout", json={"content_id": str(content_id)}, headers=buyer
    )
    assert made.status_code == 200


async def test_refund_keeps_access_held_for_another_reason(client, services):
    buyer, content_id, purchase = await bought(client, services)
    await deliver(services, order_body(purchase))
    await settled(services)
    async with services.db.transaction() as session:
        session.add(ContentAccess(content_id=content_id, user_id=purchase.buyer_id,
                                  access_type="shared"))  # fmt: skip
    await deliver(services, order_body(purchase, "order_refunded"))
    await settled(services)
    assert await can_read(client, buyer, content_id)  # the share still holds
    assert (await state(services, purchase.id))[3] == []


async def test_unknown_purchase_and_mismatches_grant_nothing(client, services):
    buyer, content_id, purchase = await bought(client, services)
    unknown = order_body(purchase, custom={"purchase_id": str(uuid.uuid4())})
    missing = order_body(purchase, custom={}, updated_at=utcnow() + timedelta(seconds=1))
    amount = order_body(purchase, total=1, updated_at=utcnow() + timedelta(seconds=2))
    currency = order_body(purchase, currency="EUR", updated_at=utcnow() + timedelta(seconds=3))
    for body in (unknown, missing, amount, currency):
        assert await deliver(services, body)
    events = sorted(await settled(services), key=lambda e: e.received_at)
    assert [e.status for e in events] == ["failed"] * 4
    errors = [e.error or "" for e in events]
    assert "unknown purchase" in errors[0] and "names no purchase" in errors[1]
    assert "is for 1 USD" in errors[2] and "'EUR'" in errors[3]
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "pending" and grants == [] and keys == [] and problems == []
    assert not await can_read(client, buyer, content_id)


async def test_a_refund_before_its_order_waits_then_applies(client, services):
    buyer, content_id, purchase = await bought(client, services)
    refund = order_body(purchase, "order_refunded")
    await deliver(services, refund)
    events = await settled(services)
    assert [e.status for e in events] == ["waiting"] and "not applied yet" in events[0].error
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "pending" and grants == [] and keys == [] and problems == []
    await deliver(services, order_body(purchase))
    await settled(services)
    assert (await state(services, purchase.id))[0].status == "completed"
    async with services.db.transaction() as session:  # the waiting refund's retry is due
        await inbox.retry_due(session, services, now=utcnow() + timedelta(hours=2))
    await settled(services)
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "refunded" and len(keys) == 2 and problems == []
    assert not await can_read(client, buyer, content_id)


async def test_a_pending_order_grants_nothing(client, services):
    _, _, purchase = await bought(client, services)
    payload = json.loads(order_body(purchase))
    payload["data"]["attributes"]["status"] = "pending"
    await deliver(services, json.dumps(payload).encode())
    await settled(services)
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "pending" and grants == [] and keys == [] and problems == []


async def test_concurrent_deliveries_complete_once(client, services):
    """20 copies of one delivery at once (one event stored), and 20 distinct events for the
    same order at once (each processed, under the purchase's row lock): one completion, one
    grant, one ledger transaction."""
    _, _, purchase = await bought(client, services)
    body = order_body(purchase)
    stored = await asyncio.gather(*(deliver(services, body) for _ in range(20)))
    assert sorted(stored) == [False] * 19 + [True]
    base = utcnow()
    variants = [order_body(purchase, updated_at=base + timedelta(seconds=i + 1)) for i in range(20)]
    assert all(await asyncio.gather(*(deliver(services, b) for b in variants)))
    events = await settled(services)
    assert len(events) == 21 and {e.status for e in events} == {"processed"}
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "completed" and len(grants) == 1 and len(keys) == 1
    assert problems == []
    async with services.db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(LedgerTransaction))
        assert count == 1


async def test_concurrent_processing_of_distinct_events(client, services):
    """The handler itself under concurrency (no inbox dedup): 20 order events processed in
    parallel transactions."""
    _, _, purchase = await bought(client, services)
    ids = []
    base = utcnow()
    for i in range(20):
        body = order_body(purchase, updated_at=base + timedelta(seconds=i + 1))
        parsed = parse_lemon_squeezy(body)
        async with services.db.transaction() as session:
            from learningos.webhooks.repository import WebhookRepository

            event_id = await WebhookRepository(session).insert_if_new(
                PROVIDER, parsed.event_name, parsed.unique_key, body.decode()
            )
            ids.append(event_id)

    async def process(event_id):  # type: ignore[no-untyped-def]
        for _ in range(20):
            try:
                async with services.db.transaction() as session:
                    return await inbox.process(session, services.settings, event_id)
            except Exception as exc:  # noqa: BLE001 - SQLite "database is locked": try again
                if "locked" not in str(exc):
                    raise
                await asyncio.sleep(0.05)
        raise AssertionError("never processed")

    statuses = await asyncio.gather(*(process(i) for i in ids))
    assert {str(s) for s in statuses} == {"processed"}
    row, grants, keys, problems = await state(services, purchase.id)
    assert row.status == "completed" and len(grants) == 1 and len(keys) == 1
    assert problems == []


async def test_the_ledger_check_finds_a_purchase_without_its_entries(client, services):
    _, _, purchase = await bought(client, services)
    async with services.db.transaction() as session:
        row = await session.get(Purchase, purchase.id)
        row.status, row.provider_order_id = "completed", "42"
    async with services.db.transaction() as session:
        problems = await run_checks(session)
    assert any("has no sale:lemon_squeezy:42" in p for p in problems), problems
