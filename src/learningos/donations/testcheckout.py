"""The local test checkout's donation kind: a pending donation is "paid" with Paddle's
`transaction.completed` (our donation id in `custom_data`, a test transaction id) and
"refunded" with an approved `adjustment.created`, both in Paddle's real shape; the test
checkout signs them and delivers them to our own Paddle webhook endpoint, so the inbox, the
ledger and the creator's email all run without keys."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.donations import paddle_events
from learningos.models.donations import Donation, DonationStatus
from learningos.models.user import User
from learningos.models.webhooks import PaymentProvider
from learningos.testcheckout.registry import Described, TestAction, TestKind, register


def test_transaction_id(donation: Donation) -> str:
    return donation.provider_transaction_id or f"txn_test{donation.id.hex[:22]}"


async def describe(session: AsyncSession, user: User, ref_id: uuid.UUID) -> Described | None:
    donation = await session.get(Donation, ref_id)
    if donation is None or donation.donor_id != user.id:
        return None
    recipient = await session.get(User, donation.recipient_id)
    name = recipient.name if recipient else "a creator"
    back = f"/content/{donation.content_id}" if donation.content_id else "/dashboard"
    return Described(
        title=f"Donation to {name}",
        amount_cents=donation.amount_cents,
        currency=donation.currency,
        return_url=back,
        can_pay=donation.status == DonationStatus.PENDING,
        can_refund=donation.status == DonationStatus.COMPLETED,
    )


async def build(
    session: AsyncSession, ref_id: uuid.UUID, action: TestAction
) -> list[tuple[str, bytes]]:
    donation = await session.get(Donation, ref_id)
    if donation is None:
        return []
    txn_id = test_transaction_id(donation)
    if action == TestAction.PAY:
        data = paddle_events.completed_transaction(
            txn_id=txn_id,
            donation_id=donation.id,
            amount_cents=donation.amount_cents,
            currency=donation.currency,
        )
        return [
            ("transaction.completed", paddle_events.notification("transaction.completed", data))
        ]
    data = paddle_events.refund_adjustment(
        txn_id=txn_id,
        amount_cents=donation.amount_cents,
        currency=donation.currency,
        fee_cents=donation.fee_cents,
    )
    return [("adjustment.created", paddle_events.notification("adjustment.created", data))]


register(TestKind(kind="donation", provider=PaymentProvider.PADDLE, describe=describe, build=build))
