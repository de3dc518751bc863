"""Donations end to end: the checkout (the real Paddle adapter against the local fake), the
Paddle webhooks through the inbox (completion with its ledger transaction, replays,
duplicates, mismatches, unknown ids, refunds in and out of order), the received list, HTML in
messages, and `ledger check` clean after every scenario. On PostgreSQL, 20 concurrent
deliveries of one payment complete it once with one ledger transaction."""

# ruff: noqa: F811
from __future__ import annotations

import asyncio
import uuid

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from learningos.donations import paddle_events
from learningos.ledger import accounts
from learningos.ledger.checks import run_checks
from learningos.ledger.service import balance
from learningos.models.content import Content
from learningos.models.donations import Donation, DonationStatus
from learningos.models.ledger import LedgerKind, LedgerTransaction
from learningos.models.user import Role, User
from learningos.models.webhooks import PaymentProvider, WebhookEvent, WebhookStatus
from learningos.services import Services
from learningos.webhooks import service as inbox
from tests.conftest import PG_URL, bearer, signed_in
from tests.fakes.fixtures import fake_paddle  # noqa: F401
from tests.fakes.paddle_server import DEFAULT_API_KEY, FakePaddle, status
from tests.integration.test_account import outbox
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_qdrant_server_mode import run_queued

CHECKOUT = "/api/v1/donate/checkout"
PADDLE = PaymentProvider.PADDLE


@pytest.fixture
def paddle_on(services: Services, fake_paddle: FakePaddle, monkeypatch) -> FakePaddle:  # type: ignore[no-untyped-def]
    """The app's Paddle settings pointed at the fake (real adapter, real HTTP)."""
    monkeypatch.setattr(services.settings, "paddle_api_key", SecretStr(DEFAULT_API_KEY))
    monkeypatch.setattr(services.settings, "paddle_api_url", fake_paddle.base_url)
    return fake_paddle


async def creator_with_item(
    services: Services, client, *, accept: bool = True, visibility: str = "public"
) -> tuple[dict, uuid.UUID, uuid.UUID]:  # type: ignore[no-untyped-def]
    tokens = await signed_in(client, email="cara@example.com")
    async with services.db.transaction() as session:
        creator = await session.scalar(select(User).where(User.email == "cara@example.com"))
        assert creator is not None
        creator.role = Role.CREATOR
        content = Content(user_id=creator.id, title="How Memory Works", type="markdown")
        content.status = "ready"
        content.visibility = visibility
        content.accept_donations = accept
        content.donation_message = "Thank you <b>so</b> much!"
        session.add(content)
        await session.flush()
        return tokens, creator.id, content.id


async def donor(client, email: str = "dan@example.com") -> dict:  # type: ignore[no-untyped-def]
    return await signed_in(client, email=email)


async def start(
    client, tokens: dict, item: uuid.UUID, cents: int = 500, message: str | None = None
):  # type: ignore[no-untyped-def]
    body = {"content_id": str(item), "amount_cents": cents, "message": message}
    return await client.post(CHECKOUT, json=body, headers=bearer(tokens))


async def deliver(services: Services, event_type: str, data: dict, event_id: str | None = None):  # type: ignore[no-untyped-def]
    """Store a Paddle notification in the inbox and process it now; its event row."""
    event_id = event_id or f"evt_{uuid.uuid4().hex}"
    body = paddle_events.notification(event_type, data, event_id=event_id)
    async with services.db.transaction() as session:
        await inbox.receive(session, services, PADDLE, event_type, event_id, body)
    await services.queue.wait_idle(timeout=10) if not services.settings.redis_url else None
    async with services.db.transaction() as session:
        event = await session.scalar(
            select(WebhookEvent).where(WebhookEvent.unique_key == event_id)
        )
        assert event is not None
        if event.status in (WebhookStatus.RECEIVED, WebhookStatus.WAITING):
            await inbox.process(session, services.settings, event.id)
    async with services.db.transaction() as session:
        event = await session.scalar(
            select(WebhookEvent).where(WebhookEvent.unique_key == event_id)
        )
        assert event is not None
        return event


async def donation(services: Services, donation_id: str | uuid.UUID) -> Donation:
    async with services.db.transaction() as session:
        row = await session.get(Donation, uuid.UUID(str(donation_id)))
        assert row is not None
        return row


async def ledger_count(services: Services, kind: LedgerKind | None = None) -> int:
    async with services.db.transaction() as session:
        query = select(func.count()).select_from(LedgerTransaction)
        if kind:
            query = query.where(LedgerTransaction.kind == kind)
        return int(await session.scalar(query) or 0)


async def books_clean(services: Services) -> None:
    async with services.db.transaction() as session:
        assert await run_checks(session) == []


async def balances(services: Services, creator: uuid.UUID) -> tuple[int, int, int]:
    async with services.db.transaction() as session:
        return (
            await balance(session, accounts.creator_pending(creator)),
            await balance(session, accounts.processor_clearing(PADDLE)),
            await balance(session, accounts.processor_fees(PADDLE)),
        )


async def paid(services: Services, donation_id: str, cents: int = 500, **extra):  # type: ignore[no-untyped-def]
    row = await donation(services, donation_id)
    assert row.provider_transaction_id
    data = paddle_events.completed_transaction(
        txn_id=row.provider_transaction_id, donation_id=donation_id, amount_cents=cents, **extra
    )
    return await deliver(services, "transaction.completed", data), data


# -- the checkout ------------------------------------------------------------------------------


async def test_checkout_creates_a_paddle_transaction(client, services, paddle_on) -> None:
    _, creator, item = await creator_with_item(services, client)
    tokens = await donor(client)
    response = await start(client, tokens, item, 300, "For the great chapter")
    assert response.status_code == 201, response.text
    out = response.json()
    row = await donation(services, out["donation_id"])
    assert (row.status, row.amount_cents, row.recipient_id) == (
        DonationStatus.PENDING,
        300,
        creator,
    )
    assert row.message == "For the great chapter"
    (request,) = paddle_on.requests
    assert request.json["custom_data"] == {"donation_id": out["donation_id"]}
    assert request.json["items"][0]["price"]["unit_price"]["amount"] == "300"
    assert out["checkout_url"].endswith(f"?_ptxn={row.provider_transaction_id}")
    assert await ledger_count(services) == 0  # nothing moves before Paddle says paid
    await books_clean(services)


@pytest.mark.parametrize("cents", [0, 99, -100, 100_001, 10**9])
async def test_amount_out_of_range_is_refused(client, services, paddle_on, cents) -> None:
    _, _, item = await creator_with_item(services, client)
    response = await start(client, await donor(client), item, cents)
    assert response.status_code == 422
    assert paddle_on.requests == []


@pytest.mark.parametrize("cents", [100, 300, 500, 1000, 777, 100_000])
async def test_presets_and_custom_amounts(client, services, paddle_on, cents) -> None:
    _, _, item = await creator_with_item(services, client)
    response = await start(client, await donor(client), item, cents)
    assert response.status_code == 201, response.text


async def test_what_cannot_be_donated_to(client, services, paddle_on) -> None:
    creator_tokens, creator, item = await creator_with_item(services, client, accept=False)
    tokens = await donor(client)
    assert (await start(client, tokens, item)).status_code == 409  # does not accept
    async with services.db.transaction() as session:
        content = await session.get(Content, item)
        assert content is not None
        content.accept_donations = True
    assert (await start(client, creator_tokens, item)).status_code == 409  # to yourself
    # Paddle turned off by the creator.
    response = await client.put(
        "/api/v1/creator/payment-settings",
        json={"paddle_enabled": False},
        headers=bearer(creator_tokens),
    )
    assert response.status_code == 200
    assert (await start(client, tokens, item)).status_code == 409
    body = {"creator_id": str(creator), "amount_cents": 500}
    assert (await client.post(CHECKOUT, json=body, headers=bearer(tokens))).status_code == 409
    # A learner who is not a creator cannot receive donations.
    other = await client.get("/api/v1/users/me", headers=bearer(tokens))
    body = {"creator_id": other.json()["id"], "amount_cents": 500}
    assert (await client.post(CHECKOUT, json=body, headers=bearer(tokens))).status_code == 404
    body = {"content_id": str(item), "creator_id": str(creator), "amount_cents": 500}
    assert (await client.post(CHECKOUT, json=body, headers=bearer(tokens))).status_code == 422
    assert paddle_on.requests == []


async def test_private_item_is_not_found(client, services, paddle_on) -> None:
    _, _, item = await creator_with_item(services, client, visibility="private")
    assert (await start(client, await donor(client), item)).status_code == 404


async def test_paddle_down_answers_503_and_leaves_a_harmless_pending_row(
    client, services, paddle_on
) -> None:
    _, _, item = await creator_with_item(services, client)
    paddle_on.enqueue(status(500), status(500), status(500))
    response = await start(client, await donor(client), item)
    assert response.status_code == 503
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(Donation))).all()
    assert [(r.status, r.provider_transaction_id) for r in rows] == [(DonationStatus.PENDING, None)]
    await books_clean(services)


async def test_without_paddle_keys_card_donations_are_unavailable(
    client, services, monkeypatch
) -> None:
    _, _, item = await creator_with_item(services, client)
    monkeypatch.setattr(
        services.settings, "lemonsqueezy_api_key", SecretStr("k")
    )  # no test checkout
    assert (await start(client, await donor(client), item)).status_code == 503


# -- webhooks ----------------------------------------------------------------------------------


async def test_completion_posts_the_ledger_and_tells_the_creator(
    client, services, paddle_on
) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 1000, "Keep going!")).json()
    event, data = await paid(services, out["donation_id"], 1000, fee_cents=100)
    assert event.status == WebhookStatus.PROCESSED, event.error
    row = await donation(services, out["donation_id"])
    assert (row.status, row.fee_cents) == (DonationStatus.COMPLETED, 100)
    assert await balances(services, creator) == (900, -1000, 100)  # 0 % platform fee
    assert await ledger_count(services, LedgerKind.DONATION) == 1
    await books_clean(services)
    await services.queue.wait_idle(timeout=10) if not services.settings.redis_url else None

    async def mailed():  # type: ignore[no-untyped-def]
        return [
            m
            for m in outbox(services)
            if m["To"] == "cara@example.com" and "donation" in m["Subject"]
        ]

    from tests.conftest import eventually

    await run_queued(services, "donations.received_email")
    (message,) = await eventually(mailed)
    assert "$10.00" in message["Subject"]

    # The same notification again (a replay: same event id) stores nothing.
    again = await deliver(services, "transaction.completed", data, event_id=event.unique_key)
    assert again.id == event.id
    # The same payment under another event id (a duplicate) is processed and changes nothing.
    other = await deliver(services, "transaction.completed", data)
    assert other.status == WebhookStatus.PROCESSED
    assert await ledger_count(services) == 1
    assert await balances(services, creator) == (900, -1000, 100)
    await books_clean(services)

    # The creator sees it, with the donor's message.
    response = await client.get(
        "/api/v1/donations/received", headers=bearer(await _login(client, "cara@example.com"))
    )
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 1
    assert page["items"][0]["message"] == "Keep going!"
    assert page["items"][0]["donor_name"]


async def _login(client, email: str) -> dict:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    return await login(client, email=email)


async def test_tax_is_not_the_creators(client, services, paddle_on) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 1000)).json()
    event, _ = await paid(services, out["donation_id"], 1000, fee_cents=100, tax_cents=90)
    assert event.status == WebhookStatus.PROCESSED, event.error
    assert await balances(services, creator) == (810, -910, 100)
    await books_clean(services)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount_cents": 400}, "amount mismatch"),
        ({"currency": "EUR"}, "currency mismatch"),
        ({"donation_id": str(uuid.uuid4())}, "unknown donation"),
    ],
)
async def test_mismatches_fail_with_the_reason_and_change_nothing(
    client, services, paddle_on, change, reason
) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 500)).json()
    row = await donation(services, out["donation_id"])
    values = {"txn_id": row.provider_transaction_id, "donation_id": out["donation_id"]}
    values["amount_cents"] = 500
    values.update(change)
    data = paddle_events.completed_transaction(**values)  # type: ignore[arg-type]
    event = await deliver(services, "transaction.completed", data)
    assert event.status == WebhookStatus.FAILED
    assert reason in (event.error or "")
    assert (await donation(services, out["donation_id"])).status == DonationStatus.PENDING
    assert await ledger_count(services) == 0
    await books_clean(services)


async def test_a_transaction_without_a_donation_id_is_not_ours(client, services) -> None:
    data = paddle_events.completed_transaction(txn_id="txn_x", donation_id=None, amount_cents=500)
    event = await deliver(services, "transaction.completed", data)
    assert event.status == WebhookStatus.PROCESSED
    assert await ledger_count(services) == 0


async def test_refund_reverses_and_only_an_approved_one(client, services, paddle_on) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 500)).json()
    await paid(services, out["donation_id"], 500, fee_cents=75)
    row = await donation(services, out["donation_id"])
    txn = row.provider_transaction_id
    assert txn

    pending = paddle_events.refund_adjustment(
        txn_id=txn, amount_cents=500, status="pending_approval"
    )
    event = await deliver(services, "adjustment.created", pending)
    assert event.status == WebhookStatus.PROCESSED
    assert (await donation(services, row.id)).status == DonationStatus.COMPLETED

    approved = {**pending, "status": "approved"}
    event = await deliver(services, "adjustment.updated", approved)
    assert event.status == WebhookStatus.PROCESSED, event.error
    assert (await donation(services, row.id)).status == DonationStatus.REFUNDED
    assert await balances(services, creator) == (0, 0, 0)
    assert await ledger_count(services, LedgerKind.DONATION_REFUND) == 1
    await books_clean(services)

    # A second approved adjustment (a refund of a refund) and a replay change nothing.
    event = await deliver(services, "adjustment.updated", {**approved, "id": "adj_second"})
    assert event.status == WebhookStatus.PROCESSED
    assert await ledger_count(services) == 2
    await books_clean(services)


async def test_partial_refund_is_refused_with_the_reason(client, services, paddle_on) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 1000)).json()
    await paid(services, out["donation_id"], 1000)
    txn = (await donation(services, out["donation_id"])).provider_transaction_id
    assert txn
    data = paddle_events.refund_adjustment(txn_id=txn, amount_cents=300, kind="partial")
    event = await deliver(services, "adjustment.created", data)
    assert event.status == WebhookStatus.FAILED
    assert "partial" in (event.error or "")
    assert (await donation(services, out["donation_id"])).status == DonationStatus.COMPLETED
    await books_clean(services)


async def test_refund_before_its_payment_waits_then_applies(client, services, paddle_on) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 500)).json()
    txn = (await donation(services, out["donation_id"])).provider_transaction_id
    assert txn
    refund = paddle_events.refund_adjustment(txn_id=txn, amount_cents=500)
    event = await deliver(services, "adjustment.created", refund)
    assert event.status == WebhookStatus.WAITING
    await paid(services, out["donation_id"], 500)
    async with services.db.transaction() as session:
        await inbox.process(session, services.settings, event.id)
    assert (await donation(services, out["donation_id"])).status == DonationStatus.REFUNDED
    assert await balances(services, creator) == (0, 0, 0)
    await books_clean(services)


async def test_a_donation_never_unlocks_paid_content(client, services, paddle_on) -> None:
    _, _, item = await creator_with_item(services, client, visibility="paid")
    tokens = await donor(client)
    out = (await start(client, tokens, item, 1000)).json()
    event, _ = await paid(services, out["donation_id"], 1000)
    assert event.status == WebhookStatus.PROCESSED, event.error
    response = await client.get(f"/api/v1/content/{item}", headers=bearer(tokens))
    assert response.status_code in (402, 403, 404)
    await books_clean(services)


# -- HTML in messages --------------------------------------------------------------------------


async def test_html_in_messages_is_escaped(client, services, paddle_on) -> None:
    _, _, item = await creator_with_item(services, client)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    out = (await start(client, await donor(client), item, 500, attack)).json()
    await paid(services, out["donation_id"], 500)

    await sign_in_page(client, "dan@example.com")
    dialog = await client.get(f"/content/{item}/donate")
    assert dialog.status_code == 200
    assert "Thank you &lt;b&gt;so&lt;/b&gt; much!" in dialog.text  # the creator's message

    client.cookies.clear()
    await sign_in_page(client, "cara@example.com")
    page = await client.get("/creator/donations")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text


# -- the donate page without JavaScript --------------------------------------------------------


async def test_donate_form_goes_to_the_checkout(client, services, paddle_on) -> None:
    _, _, item = await creator_with_item(services, client)
    await donor(client)
    await sign_in_page(client, "dan@example.com")
    doc = html(await client.get(f"/content/{item}"))
    assert doc.css_first("[data-donate-button]") is not None
    doc = html(await client.get(f"/content/{item}/donate"))
    token = csrf_of(doc)
    assert len(doc.css('input[name="amount"]')) == 4
    response = await client.post(
        f"/content/{item}/donate",
        data={"csrf_token": token, "amount": "300", "custom_amount": "2000", "message": ""},
    )
    assert response.status_code == 400
    assert "$1 to $1,000" in response.text
    response = await client.post(
        f"/content/{item}/donate",
        data={"csrf_token": token, "amount": "300", "custom_amount": "7.50", "message": "hi"},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("https://pay.example.com/checkout?_ptxn=")
    assert paddle_on.requests[-1].json["items"][0]["price"]["unit_price"]["amount"] == "750"


async def test_khqr_and_paypal_are_shown_as_the_creator_set_them(client, services) -> None:
    from tests.fakes.khqr import khqr_payload, qr_png

    creator_tokens, _, item = await creator_with_item(services, client)
    files = {"file": ("k.png", qr_png(khqr_payload()), "image/png")}
    response = await client.put(
        "/api/v1/creator/payment-settings/khqr-image", files=files, headers=bearer(creator_tokens)
    )
    assert response.status_code == 200, response.text
    body = {
        "paddle_enabled": False,
        "aba_khqr_enabled": True,
        "aba_khqr_name": "Cara <i>C</i>",
        "paypal_enabled": True,
        "paypal": "https://www.paypal.me/CaraC",
    }
    response = await client.put(
        "/api/v1/creator/payment-settings", json=body, headers=bearer(creator_tokens)
    )
    assert response.status_code == 200
    await donor(client)
    await sign_in_page(client, "dan@example.com")
    doc = html(await client.get(f"/content/{item}/donate"))
    assert doc.css_first("[data-donate-card]") is None  # Paddle off
    khqr = doc.css_first("[data-donate-khqr]")
    assert khqr is not None
    assert "Cara <i>C</i>" in khqr.text()  # shown as text, not markup
    assert (await client.get(khqr.css_first("img").attributes["src"] or "")).status_code == 200
    link = doc.css_first("[data-donate-paypal] a")
    assert link is not None
    assert link.attributes["href"] == "https://www.paypal.me/CaraC"
    assert await ledger_count(services) == 0


# -- concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.skipif(not PG_URL, reason="concurrent row locks are proven on PostgreSQL")
async def test_twenty_concurrent_deliveries_complete_once(client, services, paddle_on) -> None:
    _, creator, item = await creator_with_item(services, client)
    out = (await start(client, await donor(client), item, 500)).json()
    row = await donation(services, out["donation_id"])
    assert row.provider_transaction_id
    data = paddle_events.completed_transaction(
        txn_id=row.provider_transaction_id, donation_id=out["donation_id"], amount_cents=500
    )
    # 20 identical deliveries at once: one event stored.
    body = paddle_events.notification("transaction.completed", data, event_id="evt_same")

    async def receive_once() -> bool:
        async with services.db.transaction() as session:
            return await inbox.receive(
                session, services, PADDLE, "transaction.completed", "evt_same", body
            )

    stored = await asyncio.gather(*(receive_once() for _ in range(20)))
    assert stored.count(True) == 1
    # 20 distinct events of the same payment processed at once: one completion.
    ids = []
    for n in range(20):
        other = paddle_events.notification("transaction.completed", data, event_id=f"evt_{n}")
        async with services.db.transaction() as session:
            await inbox.receive(
                session, services, PADDLE, "transaction.completed", f"evt_{n}", other
            )
            ids.append(f"evt_{n}")
    async with services.db.transaction() as session:
        events = (await session.scalars(select(WebhookEvent.id))).all()

    async def process(event_id: uuid.UUID) -> None:
        async with services.db.transaction() as session:
            await inbox.process(session, services.settings, event_id)

    await asyncio.gather(*(process(event_id) for event_id in events))
    await services.queue.wait_idle(timeout=20) if not services.settings.redis_url else None
    async with services.db.transaction() as session:
        states = (await session.scalars(select(WebhookEvent.status))).all()
    assert set(states) == {WebhookStatus.PROCESSED}, states
    assert (await donation(services, out["donation_id"])).status == DonationStatus.COMPLETED
    assert await ledger_count(services) == 1
    assert await balances(services, creator) == (
        500 - paddle_events.fee_of(500),
        -500,
        paddle_events.fee_of(500),
    )
    await books_clean(services)
