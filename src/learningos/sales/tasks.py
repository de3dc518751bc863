"""Jobs of the sales domain: telling the buyer and the creator about a sale or a refund."""

from __future__ import annotations

import uuid

from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.email import Email
from learningos.kit.money import usd
from learningos.models.content import Content
from learningos.models.jobs import JobName
from learningos.models.sales import Purchase
from learningos.models.user import User


def _messages(
    purchase: Purchase,
    title: str,
    buyer: User | None,
    seller: User | None,
    what: str,
    base: str,
    window_days: int,
) -> list[Email]:
    price = usd(purchase.amount_cents)
    link = f"{base}/content/{purchase.content_id}"
    out: list[Email] = []
    if what == "completed":
        if buyer is not None:
            out.append(
                Email(
                    to=buyer.email,
                    subject=f"You bought “{title}”"[:200],
                    text=f"Hello {buyer.name},\n\nThank you for buying “{title}” ({price}). "
                    f"Start learning: {link}\n\nYou can ask for a refund within {window_days} days "
                    f"({base}/refunds).\n\n— Learning OS\n",
                )
            )
        if seller is not None:
            out.append(
                Email(
                    to=seller.email,
                    subject=f"You sold “{title}”"[:200],
                    text=f"Hello {seller.name},\n\nSomeone bought “{title}” for {price}. You "
                    f"receive {usd(purchase.seller_revenue_cents)}, pending for the "
                    f"{window_days}-day refund window.\n\n— Learning OS\n",
                )
            )
    elif what == "refunded":
        if buyer is not None:
            out.append(
                Email(
                    to=buyer.email,
                    subject=f"Refund of “{title}”"[:200],
                    text=f"Hello {buyer.name},\n\nYour purchase of “{title}” ({price}) was "
                    "refunded; it is no longer in your library.\n\n— Learning OS\n",
                )
            )
        if seller is not None:
            out.append(
                Email(
                    to=seller.email,
                    subject=f"A sale of “{title}” was refunded"[:200],
                    text=f"Hello {seller.name},\n\nA purchase of “{title}” ({price}) was "
                    f"refunded; {usd(purchase.seller_revenue_cents)} was taken back from your "
                    "balance.\n\n— Learning OS\n",
                )
            )
    return out


@job(JobName.SALES_PURCHASE_EMAIL)
async def send_purchase_email(ctx: JobContext) -> None:
    """The buyer's receipt note and the creator's sale note (or both refund notes)."""
    purchase = await ctx.session.get(Purchase, uuid.UUID(ctx.job.payload["purchase_id"]))
    if purchase is None:
        raise PermanentJobError("the purchase no longer exists")
    content = await ctx.session.get(Content, purchase.content_id) if purchase.content_id else None
    buyer = await ctx.session.get(User, purchase.buyer_id) if purchase.buyer_id else None
    seller = await ctx.session.get(User, purchase.seller_id) if purchase.seller_id else None
    title = content.title if content is not None else "a material"
    base = ctx.services.settings.base_url.rstrip("/")
    for email in _messages(
        purchase,
        title,
        buyer,
        seller,
        ctx.job.payload["what"],
        base,
        ctx.services.settings.refund_window_days,
    ):
        await ctx.services.email.send(email)
