"""Typed request dependencies on the container (services.py), shared by every domain's
API and pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.requestmeta import RequestMeta
from learningos.services import Services


# Dependencies are async on purpose: FastAPI runs plain `def` dependencies in a thread pool.
async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit after the handler, before the response is sent;
    roll back on error; jobs enqueued in it are dispatched only after the commit."""
    async with services.db.transaction() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_meta(request: Request) -> RequestMeta:
    return RequestMeta.of(request)


MetaDep = Annotated[RequestMeta, Depends(get_meta)]
