"""Becoming a creator, shared by the API and the page: accept the creator agreement in force
(its version and the time are recorded), give a legal name, a country and optionally a tax
id; the account's role becomes creator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.creator.agreement import AGREEMENT_VERSION, is_country
from learningos.kit.audit import audit
from learningos.kit.db import utcnow
from learningos.kit.errors import ValidationFailed
from learningos.kit.requestmeta import RequestMeta
from learningos.models.sales import CreatorProfile
from learningos.models.user import Role, User


def is_creator(user: User) -> bool:
    """Creators (and admins) may sell."""
    return user.role in (Role.CREATOR, Role.ADMIN)


async def profile_of(session: AsyncSession, user: User) -> CreatorProfile | None:
    return await session.scalar(select(CreatorProfile).where(CreatorProfile.user_id == user.id))


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message}])


def _one_line(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


async def onboard(
    session: AsyncSession,
    user: User,
    meta: RequestMeta,
    *,
    accepted: bool,
    version: str,
    legal_name: str,
    country: str,
    tax_id: str | None,
) -> CreatorProfile:
    """Make `user` a creator (or update their details, accepting the agreement again). The
    agreement shown must be the one in force: an older version is refused (422)."""
    if not accepted:
        raise _refuse("accept_agreement", "Accept the creator agreement to continue.")
    if version != AGREEMENT_VERSION:
        raise _refuse(
            "agreement_version",
            "The creator agreement has changed since the page was opened. Read it again.",
        )
    name = _one_line(legal_name, 200)
    if not name:
        raise _refuse("legal_name", "Enter your legal name.")
    code = (country or "").strip().upper()
    if not is_country(code):
        raise _refuse("country", "Choose your country.")
    tax = _one_line(tax_id, 64) or None
    profile = await profile_of(session, user)
    if profile is None:
        profile = CreatorProfile(user_id=user.id)
        session.add(profile)
    profile.legal_name, profile.country, profile.tax_id = name, code, tax
    profile.agreement_version, profile.agreement_accepted_at = AGREEMENT_VERSION, utcnow()
    if user.role == Role.USER:
        user.role = Role.CREATOR.value
    await session.flush()
    await audit(
        session,
        "creator.onboarded",
        meta,
        user.id,
        agreement_version=AGREEMENT_VERSION,
        country=code,
    )
    return profile
