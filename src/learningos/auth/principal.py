"""The signed-in user, loaded once per sign-in lifetime rather than once per request.

Every authenticated request needs its user. What authorisation and the pages read of it
(`CACHED_COLUMNS`: role, active flag, tier, name, email, preferences) is cached (memory or
Redis) for a minute and re-attached to the request's session without a query; any
transaction that changes or deletes a user drops that user's entry once it commits. The
password hash and the other private columns never enter the cache: the few services that need
them read them with `load_private`.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached, object_session

from learningos.auth.repository import UserRepository
from learningos.kit.cache import forget_on_commit
from learningos.models.user import User
from learningos.services import Services

KEY = "auth:user:"
TTL_SECONDS = 60
CACHED_COLUMNS = (
    "id",
    "email",
    "name",
    "role",
    "tier",
    "is_active",
    "avatar_url",
    "preferences",
    "created_at",
    "updated_at",
)
_DATETIMES = {c for c in CACHED_COLUMNS if User.__table__.columns[c].type.python_type is datetime}


async def load_user(session: AsyncSession, services: Services, user_id: uuid.UUID) -> User | None:
    cached = await services.cache.get(KEY + str(user_id))
    if cached is not None:
        data: dict[str, Any] = {k: v for k, v in json.loads(cached).items() if k in CACHED_COLUMNS}
        data["id"] = uuid.UUID(data["id"])
        for key in _DATETIMES:
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        detached = User(**data)
        make_transient_to_detached(detached)
        # load=False attaches the cached state as persistent without a SELECT; the columns
        # left out stay unloaded until `load_private` reads them.
        return await session.merge(detached, load=False)
    user = await UserRepository(session).get(user_id)
    if user is not None:
        await services.cache.set(KEY + str(user_id), _dump(user), TTL_SECONDS)
    return user


async def load_private(session: AsyncSession, user: User, *columns: str) -> None:
    """Read columns the cache leaves out (the password hash, the avatar's storage key)."""
    await session.refresh(user, attribute_names=list(columns))


def _dump(user: User) -> str:
    data = {key: getattr(user, key) for key in CACHED_COLUMNS}
    return json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
def _remember_change(_mapper: Any, _connection: Any, target: User) -> None:
    session: Session | None = object_session(target)
    if session is not None:
        forget_on_commit(session.info, KEY + str(target.id))
