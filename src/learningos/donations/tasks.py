"""Jobs of the donations domain: telling a creator about a donation they received."""

from __future__ import annotations

import uuid

from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.email import Email
from learningos.models.content import Content
from learningos.models.donations import Donation, DonationStatus
from learningos.models.jobs import JobName
from learningos.models.user import User


def dollars(cents: int, currency: str = "USD") -> str:
    sign = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


@job(JobName.DONATIONS_RECEIVED_EMAIL)
async def send_received_email(ctx: JobContext) -> None:
    """The creator's email about a completed donation: amount, what they receive, the item,
    and the donor's message (plain text)."""
    donation = await ctx.session.get(Donation, uuid.UUID(ctx.job.payload["donation_id"]))
    if donation is None or donation.status != DonationStatus.COMPLETED:
        raise PermanentJobError("the donation is not completed")
    creator = await ctx.session.get(User, donation.recipient_id)
    if creator is None:
        raise PermanentJobError("the creator no longer exists")
    donor = await ctx.session.get(User, donation.donor_id) if donation.donor_id else None
    content = await ctx.session.get(Content, donation.content_id) if donation.content_id else None
    base = ctx.services.settings.base_url.rstrip("/")
    amount = dollars(donation.amount_cents, donation.currency)
    fee = donation.fee_cents or 0
    lines = [
        f"Hello {creator.name},",
        "",
        f"{donor.name if donor else 'A learner'} sent you a donation of {amount}"
        + (f" for “{content.title}”." if content else "."),
        f"The platform takes nothing; the card processor's fee is "
        f"{dollars(fee, donation.currency)} (any sales tax is also kept back). What you receive "
        "is pending for the refund window, then available for payout.",
    ]
    if donation.message:
        lines += ["", "Their message:", donation.message]
    lines += ["", f"All your donations: {base}/creator/donations", "", "— Learning OS", ""]
    subject = f"You received a donation of {amount}"
    await ctx.services.email.send(Email(to=creator.email, subject=subject, text="\n".join(lines)))
