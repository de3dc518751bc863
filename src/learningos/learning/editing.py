"""The owner edits a learning map: rename, describe, hide, reorder, add, split and merge
concepts, and set prerequisites. Progress, notes, sessions and interactions follow the concept
they were made on; a merge moves them to the concept that stays."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service as content_service
from learningos.kit.audit import audit
from learningos.kit.errors import Conflict, NotFound, ValidationFailed
from learningos.kit.requestmeta import RequestMeta
from learningos.learning.repository import MapRepository
from learningos.models.content import ContentSection
from learningos.models.learning import (
    Adaptation,
    Concept,
    ConceptProgress,
    Interaction,
    LearningMap,
    LearningSession,
    UserNote,
)
from learningos.models.user import User

DESCRIPTION_MAX = 2000


@dataclass
class Editable:
    """A map the caller may edit, with every concept (hidden ones too) in order."""

    learning_map: LearningMap
    concepts: list[Concept]

    def concept(self, concept_id: uuid.UUID) -> Concept:
        for concept in self.concepts:
            if concept.id == concept_id:
                return concept
        raise NotFound("This concept is not in the learning map.")


async def editable(session: AsyncSession, user: User, content_id: uuid.UUID) -> Editable:
    """The content's map for its owner (or an admin); 404 for anyone who cannot read it, 403
    for a reader who is not the owner."""
    content = await content_service.get_owned(session, user, content_id)
    repo = MapRepository(session)
    learning_map = await repo.of_content(content.id)
    if learning_map is None:
        raise NotFound("This material has no learning map yet.")
    return Editable(learning_map, await repo.concepts(learning_map.id, hidden=True))


async def editable_of_concept(
    session: AsyncSession, user: User, concept_id: uuid.UUID
) -> tuple[Editable, Concept]:
    found = await MapRepository(session).concept_with_map(concept_id)
    if found is None:
        raise NotFound("This concept does not exist.")
    edit = await editable(session, user, found[1].content_id)
    return edit, edit.concept(concept_id)


def _description(value: str | None) -> str:
    return " ".join((value or "").split())[:DESCRIPTION_MAX]


async def update_concept(
    session: AsyncSession,
    user: User,
    concept_id: uuid.UUID,
    changes: dict[str, Any],
    meta: RequestMeta,
) -> Concept:
    """Change a concept's title, description, difficulty, hidden flag or prerequisites. Every
    change is checked before any is made."""
    edit, concept = await editable_of_concept(session, user, concept_id)
    values: dict[str, Any] = {}
    if "title" in changes:
        title = content_service.required_title(changes["title"])
        if any(c.title.lower() == title.lower() and c.id != concept.id for c in edit.concepts):
            raise Conflict(f"The map already has a concept called “{title}”.")
        values["title"] = title
    if "description" in changes:
        values["description"] = _description(changes["description"])
    if "difficulty" in changes:
        values["difficulty"] = int(changes["difficulty"])
    if "hidden" in changes:
        if changes["hidden"] and all(c.hidden or c.id == concept.id for c in edit.concepts):
            raise Conflict("A map needs at least one concept that is not hidden.")
        values["hidden"] = bool(changes["hidden"])
    if "prerequisites" in changes:
        values["prerequisites"] = _prerequisites(edit, concept, changes["prerequisites"])
    for name, value in values.items():
        setattr(concept, name, value)
    await _finish(session, edit, user, meta, "concept.updated", concept)
    return concept


def _prerequisites(edit: Editable, concept: Concept, wanted: list[uuid.UUID]) -> list[str]:
    """Concepts of the same map, never the concept itself, and no cycle."""
    ids = [str(edit.concept(p).id) for p in dict.fromkeys(wanted)]
    if str(concept.id) in ids:
        raise ValidationFailed("A concept cannot be its own prerequisite.")
    requires = {str(c.id): list(c.prerequisites) for c in edit.concepts}
    requires[str(concept.id)] = ids
    seen: set[str] = set()
    stack = list(ids)
    while stack:  # walk what the new prerequisites require, looking for the concept itself
        current = stack.pop()
        if current == str(concept.id):
            raise ValidationFailed(
                "That would make a loop: a prerequisite already depends on this concept."
            )
        if current not in seen:
            seen.add(current)
            stack.extend(requires.get(current, []))
    return ids


async def move_concept(
    session: AsyncSession, user: User, concept_id: uuid.UUID, position: int, meta: RequestMeta
) -> Concept:
    """Put a concept at `position` (0-based, clamped) in the map's order."""
    edit, concept = await editable_of_concept(session, user, concept_id)
    order = [c for c in edit.concepts if c.id != concept.id]
    order.insert(max(0, min(position, len(order))), concept)
    await _renumber(session, edit, order)
    await _finish(session, edit, user, meta, "concept.moved", concept)
    return concept


async def add_concept(
    session: AsyncSession,
    user: User,
    content_id: uuid.UUID,
    title: str,
    description: str | None,
    after: uuid.UUID | None,
    meta: RequestMeta,
) -> Concept:
    """A concept the planner missed, after `after` (or at the end)."""
    edit = await editable(session, user, content_id)
    clean = content_service.required_title(title)
    if any(c.title.lower() == clean.lower() for c in edit.concepts):
        raise Conflict(f"The map already has a concept called “{clean}”.")
    anchor = edit.concept(after) if after else (edit.concepts[-1] if edit.concepts else None)
    concept = Concept(
        id=uuid.uuid4(),
        learning_map_id=edit.learning_map.id,
        title=clean,
        description=_description(description),
        difficulty=anchor.difficulty if anchor else 2,
        estimated_minutes=10,
        milestone=anchor.milestone if anchor else 0,
        prerequisites=[],
        source_sections=[],
        order_index=-1 - len(edit.concepts),
    )
    session.add(concept)
    await session.flush()
    order = list(edit.concepts)
    order.insert(order.index(anchor) + 1 if anchor else len(order), concept)
    edit.concepts.append(concept)
    await _renumber(session, edit, order)
    await _finish(session, edit, user, meta, "concept.added", concept)
    return concept


async def split_concept(
    session: AsyncSession,
    user: User,
    concept_id: uuid.UUID,
    title: str,
    description: str | None,
    meta: RequestMeta,
) -> Concept:
    """A new concept right after this one, taking the second half of its sections; the
    learner's progress and notes stay with the original."""
    edit, concept = await editable_of_concept(session, user, concept_id)
    new = await add_concept(
        session, user, edit.learning_map.content_id, title, description, concept.id, meta
    )
    sections = list(concept.source_sections)
    if len(sections) >= 2:
        half = (len(sections) + 1) // 2
        concept.source_sections, new.source_sections = sections[:half], sections[half:]
        await _pages_from_sections(session, concept)
        await _pages_from_sections(session, new)
    new.difficulty, new.milestone = concept.difficulty, concept.milestone
    new.prerequisites = [str(concept.id)]
    await session.flush()
    return new


async def _pages_from_sections(session: AsyncSession, concept: Concept) -> None:
    ids = [uuid.UUID(s) for s in concept.source_sections if _is_uuid(s)]
    if not ids:
        return
    rows = list(await session.scalars(select(ContentSection).where(ContentSection.id.in_(ids))))
    starts = [r.page_start for r in rows if r.page_start is not None]
    ends = [r.page_end or r.page_start for r in rows if r.page_start is not None]
    if starts:
        concept.page_start, concept.page_end = min(starts), max(e for e in ends if e is not None)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


async def merge_concepts(
    session: AsyncSession, user: User, concept_id: uuid.UUID, into: uuid.UUID, meta: RequestMeta
) -> Concept:
    """Fold `concept_id` into `into`: its sections, pages and prerequisites join the kept
    concept, and every learner's progress, notes, sessions and interactions move there."""
    edit, gone = await editable_of_concept(session, user, concept_id)
    kept = edit.concept(into)
    if kept.id == gone.id:
        raise ValidationFailed("Choose another concept to merge into.")
    kept.source_sections = list(dict.fromkeys([*kept.source_sections, *gone.source_sections]))
    starts = [p for p in (kept.page_start, gone.page_start) if p is not None]
    ends = [p for p in (kept.page_end, gone.page_end, *starts) if p is not None]
    if starts:
        kept.page_start, kept.page_end = min(starts), max(ends)
    kept.estimated_minutes += gone.estimated_minutes
    kept.difficulty = max(kept.difficulty, gone.difficulty)
    gone_id, kept_id = str(gone.id), str(kept.id)
    kept.prerequisites = [
        p
        for p in dict.fromkeys([*kept.prerequisites, *gone.prerequisites])
        if p not in (gone_id, kept_id)
    ]
    for other in edit.concepts:
        if other.id not in (gone.id, kept.id) and gone_id in other.prerequisites:
            other.prerequisites = list(
                dict.fromkeys(kept_id if p == gone_id else p for p in other.prerequisites)
            )
    await _move_learning(session, gone, kept)
    await session.delete(gone)
    edit.concepts.remove(gone)
    await session.flush()
    await _renumber(session, edit, edit.concepts)
    await _finish(session, edit, user, meta, "concept.merged", kept, merged=gone_id)
    return kept


async def _move_learning(session: AsyncSession, gone: Concept, kept: Concept) -> None:
    """What learners did on `gone` now belongs to `kept`."""
    for model in (LearningSession, Interaction, Adaptation):
        await session.execute(
            update(model)
            .where(model.concept_id == gone.id)
            .values(concept_id=kept.id)
            .execution_options(synchronize_session=False)
        )
    progress = await session.scalars(
        select(ConceptProgress).where(ConceptProgress.concept_id.in_([gone.id, kept.id]))
    )
    by_user: dict[uuid.UUID, dict[uuid.UUID, ConceptProgress]] = {}
    for row in progress:
        by_user.setdefault(row.user_id, {})[row.concept_id] = row
    for rows in by_user.values():
        moved, stays = rows.get(gone.id), rows.get(kept.id)
        if moved is None:
            continue
        if stays is None:
            moved.concept_id = kept.id
            continue
        stays.attempts += moved.attempts
        stays.time_spent_seconds += moved.time_spent_seconds
        history = [*stays.confidence_history, *moved.confidence_history]
        stays.confidence_history = sorted(history, key=lambda e: str(e.get("at", "")))
        await session.delete(moved)
    notes = await session.scalars(
        select(UserNote).where(UserNote.concept_id.in_([gone.id, kept.id]))
    )
    has_note = {n.user_id for n in notes if n.concept_id == kept.id}
    for note in await session.scalars(select(UserNote).where(UserNote.concept_id == gone.id)):
        if note.user_id in has_note:
            # One note per learner and concept: the second one stays under the material.
            note.concept_id = None
        else:
            note.concept_id = kept.id
    await session.flush()


async def _renumber(session: AsyncSession, edit: Editable, order: list[Concept]) -> None:
    """Give `order` the indices 0..n-1 ((map, order_index) is unique: free the slots first)."""
    for i, concept in enumerate(order):
        concept.order_index = -1_000_000 - i  # clear of any index in use, new concepts' too
    await session.flush()
    for i, concept in enumerate(order):
        concept.order_index = i
    edit.concepts = list(order)
    await session.flush()


async def _finish(
    session: AsyncSession,
    edit: Editable,
    user: User,
    meta: RequestMeta,
    event: str,
    concept: Concept,
    **extra: str,
) -> None:
    edit.learning_map.total_minutes = sum(
        c.estimated_minutes for c in edit.concepts if not c.hidden
    )
    await session.flush()
    await audit(
        session,
        f"learning.{event}",
        meta,
        user.id,
        content_id=str(edit.learning_map.content_id),
        concept_id=str(concept.id),
        **extra,
    )
