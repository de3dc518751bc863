from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update

from learningos.kit.audit import AuditEvent
from learningos.kit.repository import Repository
from learningos.models.auth import RefreshToken
from learningos.models.user import User


class UserRepository(Repository[User]):
    model = User

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def avatar_key(self, user_id: uuid.UUID) -> str | None:
        return await self.session.scalar(select(User.avatar_key).where(User.id == user_id))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        )

    async def mark_used(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Atomically claim a token for rotation; False if another request already did."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.id == token_id,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_family(self, family_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
            .execution_options(synchronize_session=False)
        )

    async def family_is_live(self, family_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> bool:
        """Whether this user's sign-in family still has an unrevoked, unexpired token."""
        found = await self.session.scalar(
            select(RefreshToken.id)
            .where(
                RefreshToken.family_id == family_id,
                RefreshToken.user_id == user_id,
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .limit(1)
        )
        return found is not None

    async def live_families(self, user_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        rows = await self.session.scalars(
            select(RefreshToken.family_id)
            .where(
                RefreshToken.user_id == user_id,
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .distinct()
        )
        return list(rows)


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def for_user(self, user_id: uuid.UUID, limit: int = 50) -> list[AuditEvent]:
        rows = await self.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.user_id == user_id)
            .order_by(AuditEvent.created_at.desc())
            .limit(limit)
        )
        return list(rows)
