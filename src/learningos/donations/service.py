"""Donations: an item's donation switch, the donate checkout (a pending row, then a Paddle
transaction created outside the database transaction), and what a creator received. The
webhook handlers (webhooks.py) complete and refund them, with their ledger transactions."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service as content_service
from learningos.donations.payment_settings import clean_line, require_creator
from learningos.kit.audit import audit
from learningos.kit.requestmeta import RequestMeta
from learningos.models.content import Content
from learningos.models.user import User

MESSAGE_LIMIT = 500


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
