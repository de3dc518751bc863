"""A donation end to end without keys: the donate form goes to the built-in test checkout,
whose Pay and Refund deliver correctly signed Paddle webhooks to our own endpoint (the inbox,
the ledger, the creator's email), and `ledger check` stays clean."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from learningos.ledger import accounts
from learningos.ledger.checks import run_checks
from learningos.ledger.service import balance
from learningos.models.donations import Donation, DonationStatus
from learningos.models.webhooks import WebhookEvent
from tests.conftest import signed_in
from tests.integration.test_donations import creator_with_item
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_qdrant_server_mode import run_queued


async def test_donate_pay_and_refund_through_the_test_checkout(client, services):
    _, creator, item = await creator_with_item(services, client)
    await signed_in(client, "dan@example.com")
    client.cookies.clear()
    await sign_in_page(client, "dan@example.com")
    dialog = await client.get(f"/content/{item}/donate")
    sent = await client.post(
        f"/content/{item}/donate",
        data={"csrf_token": csrf_of(html(dialog)), "amount": "1000", "message": "<b>hi</b>"},
    )
    assert sent.status_code == 303, sent.text
    checkout = sent.headers["location"].replace(services.settings.base_url, "")
    assert "/test-checkout/donation/" in checkout
    page = await client.get(checkout)
    assert page.status_code == 200 and "Test payment — no money moves" in page.text
    donation_id = uuid.UUID(checkout.rsplit("/", 1)[-1])
    paid = await client.post(f"{checkout}/pay", data={"csrf_token": csrf_of(html(page))})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/content/{item}"
    await run_queued(services, "webhooks.process")
    async with services.db.transaction() as session:
        donation = await session.get(Donation, donation_id)
        events = list(await session.scalars(select(WebhookEvent)))
        assert donation is not None and donation.status == DonationStatus.COMPLETED
        assert [(e.event_name, e.status) for e in events] == [
            ("transaction.completed", "processed")
        ]
        fee = donation.fee_cents or 0
        assert await balance(session, accounts.creator_pending(creator)) == 1000 - fee
        assert await run_checks(session) == []

    page = await client.get(checkout)
    refunded = await client.post(f"{checkout}/refund", data={"csrf_token": csrf_of(html(page))})
    assert refunded.status_code == 303
    await run_queued(services, "webhooks.process")
    async with services.db.transaction() as session:
        donation = await session.get(Donation, donation_id)
        assert donation is not None and donation.status == DonationStatus.REFUNDED
        assert await balance(session, accounts.creator_pending(creator)) == 0
        assert await run_checks(session) == []
