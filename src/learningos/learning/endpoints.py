"""Learning maps and free questions to the tutor."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import status

from learningos.auth.deps import CurrentUser
from learningos.kit.api import api_router
from learningos.kit.deps import ServicesDep, SessionDep
from learningos.learning import service
from learningos.learning.schemas import AskIn, AskOut, GenerateMapIn, MapOut

router = api_router("/api/v1", ["learning"])


@router.get("/content/{content_id}/map", response_model=MapOut)
async def learning_map(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    """The learning map: overview, milestones and concepts, prerequisites first."""
    return await service.get_map(session, user, content_id)


@router.post("/learning/generate-map", status_code=status.HTTP_202_ACCEPTED)
async def generate_map(
    body: GenerateMapIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> dict[str, str]:
    """Build the map again (progress on concepts that still exist is kept)."""
    job = await service.request_map(session, services, user, body.content_id)
    return {"job_id": str(job.id)}


@router.post("/content/{content_id}/ask", response_model=AskOut)
async def ask(
    content_id: uuid.UUID,
    body: AskIn,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> Any:
    """Ask the tutor a question about this material: an answer quoted from it, with sources."""
    result = await service.ask(session, services, user, content_id, body.question)
    out = result.output
    return {
        "answer": out.text,
        "question": out.question,
        "citations": [c.model_dump() for c in out.citations],
        "usage": service.usage_out(result.usage),
    }
