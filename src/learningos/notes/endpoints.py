"""Notes JSON API: save (auto-save), read with versions, search, list, delete."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response, status

from learningos.auth.deps import CurrentUser
from learningos.deps import ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.notes import service
from learningos.notes.repository import NoteRow
from learningos.notes.schemas import (
    NoteDetail,
    NoteIn,
    NoteListItem,
    NoteOut,
    NoteSearchOut,
    NoteUpdate,
    NoteVersionOut,
)

router = api_router("/api/v1", ["notes"])


@router.post("/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
async def save_note(
    body: NoteIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> Any:
    """Create your note on a concept, or save a new version of it (safe to call on every
    auto-save: the same text again changes nothing). The AI's feedback comes back with it."""
    return await service.save(session, services, user, body.concept_id, body.content)


@router.get("/notes", response_model=list[NoteListItem])
async def list_notes(
    user: CurrentUser, session: SessionDep, content_id: uuid.UUID | None = None
) -> Any:
    """Your notes, most recently updated first; `content_id` keeps one content item's."""
    return [_list_item(row) for row in await service.list_notes(session, user, content_id)]


# Before /notes/{concept_id}, so that "search" is not read as a concept id.
@router.get("/notes/search", response_model=NoteSearchOut)
async def search_notes(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Any:
    """Your notes matching the words of `q` across all concepts, best first (at most 50)."""
    return {"query": q, "hits": await service.search(session, user, q)}


@router.get("/notes/{concept_id}", response_model=NoteDetail)
async def get_note(concept_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    """Your note on a concept with every saved version, newest first."""
    note, versions = await service.get_with_versions(session, user, concept_id)
    return {
        **NoteOut.model_validate(note).model_dump(),
        "versions": [NoteVersionOut.model_validate(v) for v in versions],
    }


@router.put("/notes/{note_id}", response_model=NoteOut)
async def update_note(
    note_id: uuid.UUID,
    body: NoteUpdate,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> Any:
    """Save a new version. With `version`, a note saved meanwhile elsewhere answers 409."""
    return await service.update(session, services, user, note_id, body.content, body.version)


@router.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """Delete the note, all its versions and its search entry."""
    await service.delete(session, user, note_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _list_item(row: NoteRow) -> NoteListItem:
    return NoteListItem(
        **NoteOut.model_validate(row.note).model_dump(),
        concept_title=row.concept_title,
        content_title=row.content_title,
        available=row.available,
    )
