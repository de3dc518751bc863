"""The built-in test checkout: Pay and Refund post correctly signed Lemon Squeezy webhooks
to our own endpoint, so the inbox, the grant, the ledger and the emails all run; refused in
production and once processor keys are set."""

from __future__ import annotations

import json
import uuid

from pydantic import SecretStr
from sqlalchemy import select

from learningos.ledger.checks import run_checks
from learningos.models.sales import Purchase
from learningos.models.webhooks import WebhookEvent
from learningos.sales.testcheckout import order_payload
from learningos.services import test_checkout_secret as derived_secret
from learningos.testcheckout.service import signed_headers
from tests.conftest import bearer, signed_in
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_qdrant_server_mode import run_queued
from tests.integration.test_sales_checkout import paid_item


async def test_pay_and_refund_through_the_signed_webhook(client, services):
    _, content_id = await paid_item(client, services)
    await signed_in(client, "buyer@example.com")
    client.cookies.clear()
    await sign_in_page(client, "buyer@example.com")
    buy = await client.get(f"/buy/{content_id}")
    sent = await client.post(f"/buy/{content_id}", data={"csrf_token": csrf_of(html(buy))})
    checkout = sent.headers["location"]
    page = await client.get(checkout)
    assert page.status_code == 200 and "Test payment — no money moves" in page.text
    assert "$9.99 (≈ ៛41,000)" in page.text
    purchase_id = uuid.UUID(checkout.rsplit("/", 1)[-1])
    paid = await client.post(f"{checkout}/pay", data={"csrf_token": csrf_of(html(page))})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"/content/{content_id}?purchase={purchase_id}"
    await run_queued(services, "webhooks.process")
    opened = await client.get(paid.headers["location"])
    if opened.status_code == 303:  # the order is still being processed
        opened = await client.get(opened.headers["location"])
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, purchase_id)
        events = list(await session.scalars(select(WebhookEvent)))
        assert purchase is not None and purchase.status == "completed"
        assert [(e.event_name, e.status) for e in events] == [("order_created", "processed")]
        assert await run_checks(session) == []
    assert (await client.get(f"/content/{content_id}")).status_code == 200
    library = await client.get("/library")
    assert "Purchases" in library.text and "bought" in library.text

    # Refund: the purchase is refunded and the material closes again.
    page = await client.get(checkout)
    assert "Refund" in page.text
    refunded = await client.post(f"{checkout}/refund", data={"csrf_token": csrf_of(html(page))})
    assert refunded.status_code == 303
    await run_queued(services, "webhooks.process")
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, purchase_id)
        assert purchase is not None and purchase.status == "refunded"
        assert await run_checks(session) == []
    assert (await client.get(f"/content/{content_id}")).status_code == 303


async def test_signed_body_through_the_endpoint_and_a_forged_one(client, services):
    _, content_id = await paid_item(client, services)
    buyer = bearer(await signed_in(client, "buyer@example.com"))
    made = await client.post(
        "/api/v1/purchase/checkout", json={"content_id": str(content_id)}, headers=buyer
    )
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, uuid.UUID(made.json()["purchase_id"]))
    assert purchase is not None
    body = json.dumps(order_payload(
        purchase, "order_created", title="Stats", email="b@example.com", name="B",
        updated_at=purchase.created_at,
    )).encode()  # fmt: skip
    path = "/api/v1/webhook/lemon-squeezy"
    forged = {**signed_headers(services, "lemon_squeezy", "order_created", body)}
    forged["X-Signature"] = "0" * 64
    assert (await client.post(path, content=body, headers=forged)).status_code == 401
    headers = signed_headers(services, "lemon_squeezy", "order_created", body)
    assert (await client.post(path, content=body, headers=headers)).status_code == 200
    assert (await client.post(path, content=body, headers=headers)).status_code == 200
    await run_queued(services, "webhooks.process")
    from tests.integration.test_sales_webhooks import settled

    events = await settled(services)
    assert [e.status for e in events] == ["processed"]


async def test_refused_with_keys_or_in_production(client, services, monkeypatch):
    _, content_id = await paid_item(client, services)
    buyer = bearer(await signed_in(client, "buyer@example.com"))
    made = await client.post(
        "/api/v1/purchase/checkout", json={"content_id": str(content_id)}, headers=buyer
    )
    url = made.json()["checkout_url"].replace(services.settings.base_url, "")
    await signed_in(client, "other@example.com")
    client.cookies.clear()
    await sign_in_page(client, "buyer@example.com")
    assert (await client.get(url)).status_code == 200
    monkeypatch.setattr(services.settings, "env", "production")
    assert (await client.get(url)).status_code == 404
    monkeypatch.setattr(services.settings, "env", "test")
    monkeypatch.setattr(services.settings, "lemonsqueezy_api_key", SecretStr("k"))
    assert (await client.get(url)).status_code == 404
    monkeypatch.undo()
    # Someone else's purchase: 404.
    client.cookies.clear()
    await sign_in_page(client, "other@example.com")
    assert (await client.get(url)).status_code == 404


def test_the_test_checkout_secret_is_derived_not_fixed():
    one, two = (
        derived_secret("a" * 40, "lemon_squeezy"),
        derived_secret("b" * 40, "lemon_squeezy"),
    )
    assert one != two and len(one) == 64
    assert derived_secret("a" * 40, "paddle") != one
