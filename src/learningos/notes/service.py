"""Notes services shared by the JSON API, the pages and the session loop.

One note per learner and concept. Every save that changes the text is a new version, stored
with the AI's feedback on that version; saving the same text again changes nothing. When the
learner's AI allowance is used up the note is saved without feedback: a note is never lost.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ai.budget import check_before_release
from learningos.ai.calling import caller_for, passages_from
from learningos.ai.inputs import ConceptRef, NoteInput, Passage
from learningos.content import service as content_service
from learningos.content.repository import ContentRepository
from learningos.kit.errors import AIBudgetExceeded, Conflict, NotFound
from learningos.models.content import Content
from learningos.models.learning import Concept, NoteVersion, UserNote
from learningos.models.user import User
from learningos.notes import search as note_search
from learningos.notes.repository import NoteRepository, NoteRow
from learningos.retrieval.context import assemble_context
from learningos.services import Services

PASSAGES = 3


@dataclass(frozen=True)
class NoteHit:
    id: uuid.UUID
    concept_id: uuid.UUID | None
    concept_title: str
    content_id: uuid.UUID
    content_title: str
    snippet: str
    updated_at: datetime


@dataclass
class ContentNotes:
    """A content item's notes, for the notes page."""

    content_id: uuid.UUID
    content_title: str
    notes: list[NoteRow] = field(default_factory=list)
    available: bool = True


async def save(
    session: AsyncSession,
    services: Services,
    user: User,
    concept_id: uuid.UUID,
    text: str,
    expected_version: int | None = None,
) -> UserNote:
    """Create the learner's note on a concept or save a new version of it (auto-save calls
    this on every pause in typing). `expected_version`, when given, must be the current one."""
    concept, content = await _writable(session, user, concept_id)
    repo = NoteRepository(session)
    note = await repo.of_concept(user.id, concept.id)
    if note is not None:
        if note.content == text:  # nothing to save, nothing to lose: no version, no conflict
            return note
        _check_version(note, expected_version)
    feedback = await _feedback(session, services, user, concept, content, text)
    # A new transaction from here on: the note may have been saved or created meanwhile.
    if note is None:
        await repo.lock_pair(user.id, concept.id)
        note = await repo.of_concept(user.id, concept.id)  # saved meanwhile from another tab?
        if note is None:
            return await repo.create(user.id, concept, content.id, text, feedback)
    return await _next_version(repo, note, text, feedback, expected_version)


async def update(
    session: AsyncSession,
    services: Services,
    user: User,
    note_id: uuid.UUID,
    text: str,
    expected_version: int | None = None,
) -> UserNote:
    """Save a new version of one of the learner's notes."""
    note = await _owned(session, user, note_id)
    if note.concept_id is None:
        raise Conflict(
            "This note's concept is no longer in the learning map, so the note is kept as it "
            "is. Copy what you need into a note on a concept of the new map."
        )
    return await save(session, services, user, note.concept_id, text, expected_version)


async def get_with_versions(
    session: AsyncSession, user: User, concept_id: uuid.UUID
) -> tuple[UserNote, list[NoteVersion]]:
    """The learner's note on a concept and all its versions, newest first."""
    repo = NoteRepository(session)
    note = await repo.of_concept(user.id, concept_id)
    if note is None:
        raise NotFound("You have no note on this concept yet.")
    return note, await repo.versions(note.id)


async def delete(session: AsyncSession, user: User, note_id: uuid.UUID) -> None:
    """Delete the note with all its versions and its search entry."""
    note = await _owned(session, user, note_id)
    await NoteRepository(session).remove(note)


async def list_notes(
    session: AsyncSession, user: User, content_id: uuid.UUID | None = None
) -> list[NoteRow]:
    """The learner's notes (optionally of one content item), most recently updated first.
    Notes on an item the learner can no longer read (access revoked, expired, made private)
    are kept and marked unavailable; they come back when access does."""
    rows = await NoteRepository(session).rows(user.id, content_id=content_id)
    readable = await ContentRepository(session).readable_ids(
        user, list({row.content_id for row in rows})
    )
    return [
        row if row.content_id in readable else dataclasses.replace(row, available=False)
        for row in rows
    ]


async def search(session: AsyncSession, user: User, query: str) -> list[NoteHit]:
    """The learner's notes matching the query across concepts, best first (at most 50)."""
    query = query.strip()
    if not query:
        return []
    matches = await note_search.search(session, user.id, query)
    if not matches:
        return []
    rows = await NoteRepository(session).rows(user.id, note_ids=[m.note_id for m in matches])
    by_id = {row.note.id: row for row in rows}
    return [_hit(by_id[m.note_id], query) for m in matches if m.note_id in by_id]


def by_content(rows: list[NoteRow]) -> list[ContentNotes]:
    """Notes grouped by content item, the most recently written-in item first."""
    groups: dict[uuid.UUID, ContentNotes] = {}
    for row in rows:
        group = groups.setdefault(
            row.content_id,
            ContentNotes(row.content_id, row.content_title, available=row.available),
        )
        group.notes.append(row)
    return list(groups.values())


async def notes_for_context(
    session: AsyncSession, user_id: uuid.UUID, concept_id: uuid.UUID
) -> list[str]:
    """The learner's current note on the concept as a one-item list (for the AI context of a
    session), or [] when there is none or it is empty."""
    text = await NoteRepository(session).current_text(user_id, concept_id)
    return [text] if text and text.strip() else []


def _hit(row: NoteRow, query: str) -> NoteHit:
    return NoteHit(
        id=row.note.id,
        concept_id=row.note.concept_id,
        concept_title=row.concept_title,
        content_id=row.content_id,
        content_title=row.content_title,
        snippet=note_search.snippet(row.note.content, query),
        updated_at=row.note.updated_at,
    )


async def _owned(session: AsyncSession, user: User, note_id: uuid.UUID) -> UserNote:
    note = await NoteRepository(session).owned(note_id, user.id)
    if note is None:
        raise NotFound("No such note.")
    return note


async def _writable(
    session: AsyncSession, user: User, concept_id: uuid.UUID
) -> tuple[Concept, Content]:
    """The concept and its content, if the learner may read that content."""
    found = await NoteRepository(session).concept_with_content_id(concept_id)
    if found is None:
        raise NotFound("No such concept.")
    concept, content_id = found
    try:
        content = await content_service.get_readable(session, user, content_id)
    except NotFound:
        raise NotFound("No such concept.") from None
    return concept, content


def _check_version(note: UserNote, expected: int | None) -> None:
    if expected is not None and expected != note.version:
        raise Conflict(
            f"This note was saved from another tab or device (it is now at version "
            f"{note.version}, you edited version {expected}). Reload it before saving.",
            details={"current_version": note.version},
        )


async def _next_version(
    repo: NoteRepository,
    note: UserNote,
    text: str,
    feedback: dict[str, Any],
    expected: int | None,
) -> UserNote:
    if await repo.bump(note, text, feedback, note.version if expected is None else expected):
        return note
    latest = await repo.reload(note)
    if latest is None:
        raise NotFound("This note was deleted.")
    _check_version(latest, expected)  # an explicit version that moved on: 409
    # Auto-save: another save landed while this one asked for feedback; this one, the
    # newer text, is saved on top of it.
    if latest.content == text or await repo.bump(latest, text, feedback, latest.version):
        return latest
    raise Conflict("This note is being saved from elsewhere at the same time. Try again.")


async def _feedback(
    session: AsyncSession,
    services: Services,
    user: User,
    concept: Concept,
    content: Content,
    text: str,
) -> dict[str, Any]:
    """The AI's feedback on the note, judged against the concept's own material. What it
    needs is read first; the session's connection is then released (Database.release) so that
    no transaction is held while the AI answers, and the caller saves the note in a new one
    that checks the note's version."""
    inp = NoteInput(
        concept=ConceptRef(
            title=concept.title,
            description=concept.description,
            id=str(concept.id),
            difficulty=concept.difficulty,
        ),
        passages=await _passages(session, services, concept, content),
        note=text,
    )
    try:
        caller = await check_before_release(
            session, services.ai, "notes", caller_for(user, content)
        )
    except AIBudgetExceeded as exc:
        return {"unavailable": exc.message}
    await services.db.release(session)
    result = await services.ai.note_feedback(inp, caller, session)
    return {**result.output.model_dump(), "engine": result.usage.engine}


async def _passages(
    session: AsyncSession, services: Services, concept: Concept, content: Content
) -> list[Passage]:
    context = await assemble_context(
        session,
        services.index,
        services.cache,
        content_id=content.id,
        concept_text=f"{concept.title}\n{concept.description}".strip(),
        notes=[],
        mistakes=[],
        k=PASSAGES,
    )
    return passages_from(context)
