"""Learning maps and free questions to the tutor."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import status

from learningos.auth.deps import CurrentUser
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.learning import editing, service
from learningos.learning.schemas import (
    AskIn,
    AskOut,
    ConceptMergeIn,
    ConceptMoveIn,
    ConceptNewIn,
    ConceptOut,
    ConceptPatchIn,
    GenerateMapIn,
    MapDraftOut,
    MapOut,
)

router = api_router("/api/v1", ["learning"])


@router.get("/content/{content_id}/map", response_model=MapOut)
async def learning_map(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    """The learning map: overview, milestones and concepts, prerequisites first."""
    return await service.get_map(session, user, content_id)


@router.post("/learning/generate-map", status_code=status.HTTP_202_ACCEPTED)
async def generate_map(
    body: GenerateMapIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> dict[str, str]:
    """Build the map again (progress on concepts that still exist is kept), with fewer or
    more concepts if asked; with `preview` the new map waits as a draft."""
    job = await service.request_map(
        session, services, user, body.content_id, body.granularity, body.preview
    )
    return {"job_id": str(job.id)}


@router.get("/content/{content_id}/map/draft", response_model=MapDraftOut)
async def map_draft(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    """What replacing the map with the regenerated draft would keep, add and remove."""
    learning_map, changes = await service.map_draft(session, user, content_id)
    draft = learning_map.draft or {}
    return {
        "granularity": draft.get("granularity", "default"),
        "made_at": draft.get("made_at", ""),
        **changes,
    }


@router.post("/content/{content_id}/map/draft/apply", response_model=MapOut)
async def apply_map_draft(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    """Replace the map with the draft; concepts that stay keep progress and notes."""
    await service.settle_draft(session, user, content_id, accept=True)
    return await service.get_map(session, user, content_id)


@router.delete("/content/{content_id}/map/draft", status_code=status.HTTP_204_NO_CONTENT)
async def discard_map_draft(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Keep the current map and drop the draft."""
    await service.settle_draft(session, user, content_id, accept=False)


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


# ---------- the owner edits the map ----------


@router.patch("/concepts/{concept_id}", response_model=ConceptOut)
async def update_concept(
    concept_id: uuid.UUID,
    body: ConceptPatchIn,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> Any:
    """Rename, describe, hide or show a concept, or set its prerequisites (the owner)."""
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return await editing.update_concept(session, user, concept_id, changes, meta)


@router.post("/concepts/{concept_id}/move", response_model=ConceptOut)
async def move_concept(
    concept_id: uuid.UUID,
    body: ConceptMoveIn,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> Any:
    """Put a concept at another place in the map's order."""
    return await editing.move_concept(session, user, concept_id, body.position, meta)


@router.post("/concepts/{concept_id}/merge", response_model=ConceptOut)
async def merge_concept(
    concept_id: uuid.UUID,
    body: ConceptMergeIn,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> Any:
    """Fold this concept into another; learners' progress and notes move with it."""
    return await editing.merge_concepts(session, user, concept_id, body.into, meta)


@router.post(
    "/concepts/{concept_id}/split", response_model=ConceptOut, status_code=status.HTTP_201_CREATED
)
async def split_concept(
    concept_id: uuid.UUID, body: ConceptNewIn, user: CurrentUser, session: SessionDep, meta: MetaDep
) -> Any:
    """A new concept after this one with the second half of its sections."""
    return await editing.split_concept(
        session, user, concept_id, body.title, body.description, meta
    )


@router.post(
    "/content/{content_id}/concepts", response_model=ConceptOut, status_code=status.HTTP_201_CREATED
)
async def add_concept(
    content_id: uuid.UUID, body: ConceptNewIn, user: CurrentUser, session: SessionDep, meta: MetaDep
) -> Any:
    """Add a concept the map is missing."""
    return await editing.add_concept(
        session, user, content_id, body.title, body.description, body.after, meta
    )
