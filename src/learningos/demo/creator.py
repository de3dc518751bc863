"""The demo creator: a second account, a creator who sells one material and shares another
for free, so the marketplace can be tried end to end (buy it as the demo learner through the
test checkout). Idempotent like the learner's seed: found by email and titles."""

from __future__ import annotations

import uuid
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth.repository import UserRepository
from learningos.content import service as content_service
from learningos.creator.agreement import AGREEMENT_VERSION
from learningos.kit.audit import audit
from learningos.kit.requestmeta import RequestMeta
from learningos.kit.security import hash_password
from learningos.models.content import Content, Visibility
from learningos.models.sales import CreatorProfile
from learningos.models.user import Role, User
from learningos.services import Services

CREATOR_EMAIL = "creator@learningos.local"
CREATOR_PASSWORD = "demo-creator"  # noqa: S105 - published, like the learner's
CREATOR_NAME = "Demo Creator"
PAID_TITLE = "Spaced Repetition in Practice"
PAID_PRICE_CENTS = 499
FREE_TITLE = "Taking Notes That Teach"
ITEMS = ((PAID_TITLE, "paid.md", Visibility.PAID), (FREE_TITLE, "free.md", Visibility.PUBLIC))
META = RequestMeta(ip="demo-seed", user_agent="learningos seed --demo")


async def creator_account(session: AsyncSession) -> tuple[User, bool]:
    users = UserRepository(session)
    user = await users.get_by_email(CREATOR_EMAIL)
    if user is not None:
        return user, False
    user = await users.add(
        User(
            name=CREATOR_NAME,
            email=CREATOR_EMAIL,
            role=Role.CREATOR.value,
            password_hash=await hash_password(CREATOR_PASSWORD),
        )
    )
    session.add(
        CreatorProfile(
            user_id=user.id,
            legal_name=CREATOR_NAME,
            country="KH",
            agreement_version=AGREEMENT_VERSION,
        )
    )
    await audit(session, "auth.user_created", META, user.id, role=user.role, demo=True)
    return user, True


async def creator_items(
    session: AsyncSession, services: Services, user: User
) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """The two items (uploaded if missing) and the processing job of each new one."""
    made: list[tuple[uuid.UUID, uuid.UUID | None]] = []
    for title, name, visibility in ITEMS:
        found = await session.scalar(
            select(Content).where(Content.user_id == user.id, Content.title == title)
        )
        if found is not None:
            continue
        with resources.as_file(resources.files(__package__) / name) as path:
            uploaded = await content_service.upload(
                session, services, user, path=Path(path), filename=name, title=title,
                description=None, meta=META,
            )  # fmt: skip
        content = uploaded.content
        content.visibility = visibility.value
        content.price_cents = PAID_PRICE_CENTS if visibility == Visibility.PAID else 0
        made.append((content.id, uploaded.job.id if uploaded.job else None))
    return made
