"""Donations: an item's donation switch, the donate checkout (a pending row, then a Paddle
transaction created outside the database transaction), and what a creator received. The
webhook handlers (webhooks.py) complete and refund them, with their ledger transactions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service as content_service
from learningos.donations import payment_settings
from learningos.donations.paddle import PaddleClient, PaddleError
from learningos.donations.payment_settings import clean_line, require_creator
from learningos.jobs.queue import PENDING_KEY
from learningos.jobs.registry import find as find_job
from learningos.kit.audit import audit
from learningos.kit.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta
from learningos.models.content import Content, Visibility
from learningos.models.donations import Donation, DonationStatus
from learningos.models.jobs import Job, JobName
from learningos.models.user import User
from learningos.models.webhooks import PaymentProvider
from learningos.services import Services

log = get_logger(__name__)
MESSAGE_LIMIT = 500
PRESETS_CENTS = (100, 300, 500, 1000)
MIN_CENTS, MAX_CENTS = 100, 100_000
CURRENCY = "USD"
TEST_CHECKOUT_KIND = "donation"


def clean_message(value: str | None) -> str | None:
    """A donor's or creator's message as stored: plain text (escaped when shown), control
    characters dropped except line breaks, at most MESSAGE_LIMIT characters."""
    if value is None:
        return None
    lines = [clean_line(line, MESSAGE_LIMIT) or "" for line in value.replace("\r", "").split("\n")]
    text = "\n".join(lines).strip()[:MESSAGE_LIMIT]
    return text or None


async def set_content_donations(
    session: AsyncSession,
    user: User,
    content_id: uuid.UUID,
    accept: bool,
    message: str | None,
    meta: RequestMeta,
) -> Content:
    """Turn donations on or off for an item, with an optional message (its creator only)."""
    content = await content_service.get_owned(session, user, content_id)
    require_creator(user)
    content.accept_donations = accept
    content.donation_message = clean_message(message)
    await session.flush()
    await audit(
        session, "content.donations_changed", meta, user.id, content_id=str(content.id), on=accept
    )
    return content


def check_amount(amount_cents: int) -> int:
    """A preset ($1, $3, $5, $10) or a custom whole amount from $1 to $1,000; 422 otherwise."""
    if not MIN_CENTS <= amount_cents <= MAX_CENTS:
        message = "A donation is from $1 to $1,000."
        raise ValidationFailed(message, details=[{"field": "amount_cents", "message": message}])
    return amount_cents


@dataclass(frozen=True)
class Target:
    recipient: User
    content: Content | None


async def _target(
    session: AsyncSession, donor: User, content_id: uuid.UUID | None, creator_id: uuid.UUID | None
) -> Target:
    """Who receives the donation: an item's creator (the item accepts donations and the donor
    can see it: readable, or listed for sale) or a creator directly."""
    content: Content | None = None
    if content_id is not None:
        try:
            content = await content_service.get_readable(session, donor, content_id)
        except NotFound:
            content = await session.get(Content, content_id)
            if content is None or content.visibility != Visibility.PAID:
                raise
        if not content.accept_donations:
            raise Conflict("This material does not accept donations.")
        creator_id = content.user_id
    recipient = await session.get(User, creator_id) if creator_id else None
    if recipient is None or not recipient.is_active or not payment_settings.is_creator(recipient):
        raise NotFound("No such creator.")
    if recipient.id == donor.id:
        raise Conflict("You cannot donate to yourself.")
    return Target(recipient, content)


async def dialog_target(
    session: AsyncSession, donor: User, content_id: uuid.UUID | None, creator_id: uuid.UUID | None
) -> Target:
    """Who the donate dialog is for (the same rules as the checkout)."""
    return await _target(session, donor, content_id, creator_id)


def paddle_configured(services: Services) -> bool:
    return services.settings.paddle_api_key is not None


def test_checkout_on(services: Services) -> bool:
    return services.settings.test_checkout_enabled


@dataclass(frozen=True)
class Checkout:
    donation_id: uuid.UUID
    checkout_url: str


async def checkout(
    session: AsyncSession,
    services: Services,
    donor: User,
    *,
    content_id: uuid.UUID | None,
    creator_id: uuid.UUID | None,
    amount_cents: int,
    message: str | None,
    meta: RequestMeta,
) -> Checkout:
    """A pending donation row (committed first), then a Paddle transaction for it created
    outside the database transaction; without Paddle keys in the embedded mode, the local test
    checkout. The webhook completes it."""
    check_amount(amount_cents)
    target = await _target(session, donor, content_id, creator_id)
    methods = payment_settings.view(await payment_settings.find(session, target.recipient.id))
    if not methods.paddle_enabled:
        raise Conflict("This creator does not accept card donations.")
    if not paddle_configured(services) and not test_checkout_on(services):
        raise ServiceUnavailable("Card donations are not available on this site yet.")
    donation = Donation(
        donor_id=donor.id,
        recipient_id=target.recipient.id,
        content_id=target.content.id if target.content else None,
        amount_cents=amount_cents,
        currency=CURRENCY,
        message=clean_message(message),
        payment_provider=PaymentProvider.PADDLE,
        status=DonationStatus.PENDING,
    )
    session.add(donation)
    await session.flush()
    await audit(
        session,
        "donation.checkout",
        meta,
        donor.id,
        donation_id=str(donation.id),
        cents=amount_cents,
    )
    if not paddle_configured(services):
        base = services.settings.base_url.rstrip("/")
        return Checkout(donation.id, f"{base}/test-checkout/{TEST_CHECKOUT_KIND}/{donation.id}")
    recipient_name = target.recipient.name
    await services.db.release(session)  # the row is committed; no connection held meanwhile
    try:
        txn = await PaddleClient(services.settings).create_transaction(
            donation_id=str(donation.id),
            amount_cents=amount_cents,
            currency=CURRENCY,
            recipient_name=recipient_name,
        )
    except PaddleError as exc:
        log.warning("donations.paddle_failed", donation_id=str(donation.id), code=exc.code)
        raise ServiceUnavailable(
            "The card checkout could not be started. Please try again in a minute."
        ) from exc
    row = await session.get(Donation, donation.id, with_for_update=True)
    if row is not None and row.provider_transaction_id is None:
        row.provider_transaction_id = txn.id
    return Checkout(donation.id, txn.checkout_url)


async def received(
    session: AsyncSession, creator: User, page: int, per_page: int
) -> tuple[list[tuple[Donation, str | None, str | None]], int]:
    """The creator's completed and refunded donations, newest first, with the item's title and
    the donor's name."""
    require_creator(creator)
    shown = (DonationStatus.COMPLETED, DonationStatus.REFUNDED)
    where = (Donation.recipient_id == creator.id, Donation.status.in_(shown))
    total = await session.scalar(select(func.count()).select_from(Donation).where(*where)) or 0
    rows = await session.execute(
        select(Donation, Content.title, User.name)
        .outerjoin(Content, Content.id == Donation.content_id)
        .outerjoin(User, User.id == Donation.donor_id)
        .where(*where)
        .order_by(Donation.created_at.desc(), Donation.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [(d, title, name) for d, title, name in rows.all()], total


async def notify_creator(session: AsyncSession, donation: Donation) -> None:
    """Tell the creator about a completed donation (an email job sent after the commit; the
    donation also shows on their "Donations received" page). For code holding a session but
    not the queue, as a webhook handler does: the job row is recorded like `queue.enqueue`
    records it, and the after-commit hook dispatches it."""
    spec = find_job(JobName.DONATIONS_RECEIVED_EMAIL)
    row = Job(
        id=uuid.uuid4(),
        name=JobName.DONATIONS_RECEIVED_EMAIL,
        payload={"donation_id": str(donation.id)},
        user_id=donation.recipient_id,
        max_attempts=(spec.max_attempts if spec else None) or 5,
    )
    session.add(row)
    await session.flush()
    session.info.setdefault(PENDING_KEY, []).append(row.id)
