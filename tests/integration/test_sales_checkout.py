"""Paid visibility (creators only, the price range, buyers keep access) and checkout: the
pending purchase, the test checkout without keys, the real Lemon Squeezy adapter against
the local fake (success, 5xx then success, a 422 surfaced clearly)."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from learningos.kit.db import utcnow
from learningos.models.sales import Purchase
from learningos.sales import lemonsqueezy
from learningos.sales.lemonsqueezy import CheckoutRequest, ProcessorError
from tests.conftest import bearer, make_settings, signed_in
from tests.fakes.lemonsqueezy_server import JSON_API, FakeLemonSqueezy
from tests.integration.test_creator import make_creator
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_progress import make_content, user_id_of


async def paid_item(client, services, price: int = 999, email: str = "creator@example.com"):  # type: ignore[no-untyped-def]
    """A creator with a ready item set to paid at `price` cents: (headers, content id)."""
    headers = await make_creator(client, email)
    owner_id = await user_id_of(services, email)
    content_id, _ = await make_content(services, owner_id, ["Mean", "Variance"], title="Stats")
    response = await client.patch(
        f"/api/v1/content/{content_id}/visibility",
        json={"visibility": "paid", "price_cents": price},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return headers, content_id


async def complete_by_hand(services, purchase_id) -> None:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, uuid.UUID(str(purchase_id)))
        purchase.status, purchase.completed_at = "completed", utcnow()


async def test_paid_visibility_rules(client, services):
    learner = bearer(await signed_in(client, "learner@example.com"))
    learner_id = await user_id_of(services, "learner@example.com")
    own, _ = await make_content(services, learner_id, ["A"], title="Mine")
    url = f"/api/v1/content/{own}/visibility"
    refused = await client.patch(
        url, json={"visibility": "paid", "price_cents": 999}, headers=learner
    )
    assert refused.status_code == 403 and "creator" in refused.json()["error"]["message"]

    headers = await make_creator(client)
    owner_id = await user_id_of(services, "creator@example.com")
    content_id, _ = await make_content(services, owner_id, ["A"], title="Sold")
    url = f"/api/v1/content/{content_id}/visibility"
    for price in (None, 0, 98, 99_901, -5, 10**12):
        body = {"visibility": "paid"} | ({} if price is None else {"price_cents": price})
        response = await client.patch(url, json=body, headers=headers)
        assert response.status_code == 422, (price, response.text)
    done = await client.patch(url, json={"visibility": "paid", "price_cents": 999}, headers=headers)
    assert done.status_code == 200
    assert done.json()["split"] == {
        "price_cents": 999, "commission_cents": 150, "processor_fee_cents": 100,
        "creator_cents": 749,
    }  # fmt: skip
    # A stranger cannot read a paid item, and the split endpoint agrees with the answer.
    assert (await client.get(f"/api/v1/content/{content_id}", headers=learner)).status_code == 404
    split = await client.get("/api/v1/sales/split?price_cents=999", headers=learner)
    assert split.json() == done.json()["split"]
    assert (
        await client.get("/api/v1/sales/split?price_cents=5", headers=learner)
    ).status_code == 422

    # With a buyer: not private (409), but it can be unlisted and stays paid.
    made = await client.post(
        "/api/v1/purchase/checkout", json={"content_id": str(content_id)}, headers=learner
    )
    await complete_by_hand(services, made.json()["purchase_id"])
    blocked = await client.patch(url, json={"visibility": "private"}, headers=headers)
    assert blocked.status_code == 409 and "Unlist" in blocked.json()["error"]["message"]
    unlisted = await client.patch(
        url, json={"visibility": "paid", "listed": False}, headers=headers
    )
    assert unlisted.status_code == 200
    assert unlisted.json()["is_listed"] is False and unlisted.json()["price_cents"] == 999


async def test_checkout_without_keys_goes_to_the_test_checkout(client, services):
    _, content_id = await paid_item(client, services)
    buyer = bearer(await signed_in(client, "buyer@example.com"))
    checkout = "/api/v1/purchase/checkout"
    made = await client.post(checkout, json={"content_id": str(content_id)}, headers=buyer)
    assert made.status_code == 200, made.text
    out = made.json()
    assert out["checkout_url"].endswith(f"/test-checkout/sale/{out['purchase_id']}")
    async with services.db.transaction() as session:
        purchase = await session.get(Purchase, uuid.UUID(out["purchase_id"]))
        assert purchase is not None and purchase.status == "pending"
        assert (purchase.amount_cents, purchase.platform_fee_cents) == (999, 150)
        assert (purchase.processor_fee_cents, purchase.seller_revenue_cents) == (100, 749)
        assert purchase.checkout_url == out["checkout_url"]
    # A missing item, a malformed id.
    assert (
        await client.post(checkout, json={"content_id": str(uuid.uuid4())}, headers=buyer)
    ).status_code == 404
    assert (
        await client.post(checkout, json={"content_id": "nope"}, headers=buyer)
    ).status_code == 422
    # Bought already: 409.
    await complete_by_hand(services, out["purchase_id"])
    again = await client.post(checkout, json={"content_id": str(content_id)}, headers=buyer)
    assert again.status_code == 409 and "already bought" in again.json()["error"]["message"]
    history = await client.get("/api/v1/purchase/history", headers=buyer)
    assert [p["status"] for p in history.json()] == ["completed"]


async def test_owner_and_free_items_are_not_for_sale(client, services):
    headers, content_id = await paid_item(client, services)
    checkout = "/api/v1/purchase/checkout"
    mine = await client.post(checkout, json={"content_id": str(content_id)}, headers=headers)
    assert mine.status_code == 409 and "yours" in mine.json()["error"]["message"]
    owner_id = await user_id_of(services, "creator@example.com")
    free, _ = await make_content(services, owner_id, ["A"], title="Free", visibility="public")
    private, _ = await make_content(services, owner_id, ["A"], title="Hidden")
    buyer = bearer(await signed_in(client, "buyer@example.com"))
    assert (
        await client.post(checkout, json={"content_id": str(free)}, headers=buyer)
    ).status_code == 409
    assert (
        await client.post(checkout, json={"content_id": str(private)}, headers=buyer)
    ).status_code == 404


def _adapter_settings(tmp_path, fake: FakeLemonSqueezy, **extra):  # type: ignore[no-untyped-def]
    return make_settings(
        tmp_path, "sqlite+aiosqlite:///:memory:", None,
        lemonsqueezy_api_key="ls-test-key", lemonsqueezy_store_id=fake.store_id,
        lemonsqueezy_variant_id=fake.variant_id, lemonsqueezy_api_url=fake.base_url,
        lemonsqueezy_test_mode=True, **extra,
    )  # fmt: skip


REQUEST = CheckoutRequest(
    purchase_id=uuid.UUID(int=7),
    price_cents=999,
    product_name="Stats",
    redirect_url="http://127.0.0.1:8000/content/x",
    email="b@example.com",
)


async def test_adapter_success_shape(tmp_path):
    with FakeLemonSqueezy() as fake:
        url = await lemonsqueezy.create_checkout(_adapter_settings(tmp_path, fake), REQUEST)
        assert url.startswith("https://learningos.lemonsqueezy.com/checkout/custom/")
        sent = fake.requests[-1]
    assert sent.headers["accept"] == JSON_API and sent.headers["content-type"] == JSON_API
    assert sent.headers["authorization"] == "Bearer ls-test-key"
    data = sent.json["data"]
    assert data["type"] == "checkouts"
    assert data["relationships"]["store"]["data"] == {"type": "stores", "id": "11"}
    assert data["relationships"]["variant"]["data"] == {"type": "variants", "id": "22"}
    attributes = data["attributes"]
    assert attributes["custom_price"] == 999 and attributes["test_mode"] is True
    assert attributes["checkout_data"]["custom"] == {"purchase_id": str(REQUEST.purchase_id)}
    assert attributes["product_options"]["redirect_url"] == REQUEST.redirect_url


async def test_adapter_retries_5xx_then_succeeds(tmp_path):
    with FakeLemonSqueezy() as fake:
        fake.enqueue(500)
        fake.enqueue(503)
        url = await lemonsqueezy.create_checkout(_adapter_settings(tmp_path, fake), REQUEST)
        assert "/checkout/custom/" in url and len(fake.requests) == 3


async def test_adapter_gives_up_after_repeated_5xx(tmp_path):
    with FakeLemonSqueezy() as fake:
        for _ in range(3):
            fake.enqueue(502)
        with pytest.raises(ProcessorError) as failed:
            await lemonsqueezy.create_checkout(_adapter_settings(tmp_path, fake), REQUEST)
        assert len(fake.requests) == 3 and failed.value.status_code == 502


async def test_adapter_surfaces_a_422_at_once(tmp_path):
    error = {"status": "422", "title": "Unprocessable Entity",
             "detail": "The custom price must be at least 50.",
             "source": {"pointer": "/data/attributes/custom_price"}}  # fmt: skip
    with FakeLemonSqueezy() as fake:
        fake.enqueue(422, error)
        with pytest.raises(ProcessorError) as refused:
            await lemonsqueezy.create_checkout(_adapter_settings(tmp_path, fake), REQUEST)
        assert len(fake.requests) == 1  # a 4xx is not retried
    assert "(422)" in refused.value.message and "at least 50" in refused.value.message


async def test_adapter_wrong_key_and_timeout(tmp_path):
    with FakeLemonSqueezy(api_key="other") as fake:
        with pytest.raises(ProcessorError) as refused:
            await lemonsqueezy.create_checkout(_adapter_settings(tmp_path, fake), REQUEST)
        assert "Unauthenticated" in refused.value.message
    # Nothing listens on a closed port: a transport error, retried, then a clear 502.
    settings = make_settings(
        tmp_path, "sqlite+aiosqlite:///:memory:", None, lemonsqueezy_api_key="k",
        lemonsqueezy_store_id="1", lemonsqueezy_variant_id="1",
        lemonsqueezy_api_url="http://127.0.0.1:9", lemonsqueezy_max_attempts=2,
    )  # fmt: skip
    with pytest.raises(ProcessorError):
        await lemonsqueezy.create_checkout(settings, REQUEST)


async def test_checkout_endpoint_through_the_real_adapter(client, services, monkeypatch):
    _, content_id = await paid_item(client, services)
    buyer = bearer(await signed_in(client, "buyer@example.com"))
    with FakeLemonSqueezy() as fake:
        for name, value in {
            "lemonsqueezy_api_key": SecretStr(fake.api_key),
            "lemonsqueezy_store_id": fake.store_id,
            "lemonsqueezy_variant_id": fake.variant_id,
            "lemonsqueezy_api_url": fake.base_url,
        }.items():
            monkeypatch.setattr(services.settings, name, value)
        fake.enqueue(500)
        made = await client.post(
            "/api/v1/purchase/checkout", json={"content_id": str(content_id)}, headers=buyer
        )
        assert made.status_code == 200, made.text
        sent = fake.requests[-1].json["data"]["attributes"]
    assert made.json()["checkout_url"].startswith("https://learningos.lemonsqueezy.com/")
    assert sent["checkout_data"]["custom"]["purchase_id"] == made.json()["purchase_id"]
    assert sent["product_options"]["redirect_url"].endswith(
        f"/content/{content_id}?purchase={made.json()['purchase_id']}"
    )
    # The test checkout is off once keys are set.
    page = await client.get(f"/test-checkout/sale/{made.json()['purchase_id']}", headers=buyer)
    assert page.status_code in (303, 404)


async def test_price_preview_and_buy_page(client, services):
    _, content_id = await paid_item(client, services, price=1000)
    await signed_in(client, "buyer@example.com")
    client.cookies.clear()
    await sign_in_page(client, "buyer@example.com")
    # A paid item the learner cannot read: the content page sends them to the buy page.
    page = await client.get(f"/content/{content_id}")
    assert page.status_code == 303 and page.headers["location"] == f"/buy/{content_id}"
    buy = await client.get(f"/buy/{content_id}")
    assert buy.status_code == 200 and "$10.00 (≈ ៛41,000)" in buy.text
    preview = await client.get("/sales/split-preview?price=10.00", headers={"HX-Request": "true"})
    assert "you receive $7.50" in preview.text and "$1.50" in preview.text
    bad = await client.get("/sales/split-preview?price=0.50")
    assert "between $0.99 and $999.00" in bad.text
    csrf = csrf_of(html(buy))
    sent = await client.post(f"/buy/{content_id}", data={"csrf_token": csrf})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/test-checkout/sale/")
    async with services.db.transaction() as session:
        assert (await session.scalar(select(Purchase.status))) == "pending"


async def test_share_panel_shows_the_price_and_what_the_creator_receives(client, services):
    _, content_id = await paid_item(client, services, price=2500)
    client.cookies.clear()
    await sign_in_page(client, "creator@example.com")
    panel = await client.get(f"/content/{content_id}/share")
    doc = html(panel)
    assert doc.css_first("#share-price").attributes["value"] == "25.00"
    split = doc.css_first("[data-price-split]").text()
    # $25.00: 10 % = $2.50, 5 % + $0.50 = $1.75, creator $20.75.
    assert "you receive $20.75" in split and "$2.50" in split and "$1.75" in split
    saved = await client.post(
        f"/content/{content_id}/share/visibility",
        data={"visibility": "paid", "price": "4.99", "listed": "off",
              "csrf_token": csrf_of(doc)},
    )  # fmt: skip
    assert saved.status_code == 200 and "you receive" in saved.text
    async with services.db.transaction() as session:
        from learningos.models.content import Content

        content = await session.get(Content, content_id)
        assert content.price_cents == 499 and content.is_listed is False
    bad = await client.post(
        f"/content/{content_id}/share/visibility",
        data={"visibility": "paid", "price": "1000", "csrf_token": csrf_of(doc)},
    )
    assert bad.status_code == 422 and "between $0.99 and $999.00" in bad.text
