"""The generic repository every domain repository builds on."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import Base

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def base_query(self) -> Select[Any]:
        return select(self.model)

    async def get(self, id_: uuid.UUID) -> M | None:
        query = self.base_query().where(self.model.id == id_)  # type: ignore[attr-defined]
        return await self.session.scalar(query)

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def first(self, query: Select[Any]) -> Any:
        return await self.session.scalar(query.limit(1))
