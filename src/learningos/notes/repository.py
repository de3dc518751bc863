"""Notes queries: every read is scoped to the learner who wrote the note."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, select, text, update

from learningos.kit.repository import Repository
from learningos.models.content import Content
from learningos.models.learning import Concept, LearningMap, NoteVersion, UserNote
from learningos.notes import search

LIST_LIMIT = 500


@dataclass(frozen=True)
class NoteRow:
    """A note with the names the learner knows it by."""

    note: UserNote
    concept_title: str
    content_id: uuid.UUID
    content_title: str
    # False once the learner's access to the item ended: the note stays theirs.
    available: bool = True


class NoteRepository(Repository[UserNote]):
    model = UserNote

    async def of_concept(self, user_id: uuid.UUID, concept_id: uuid.UUID) -> UserNote | None:
        query = (
            select(UserNote)
            .where(UserNote.user_id == user_id, UserNote.concept_id == concept_id)
            .order_by(UserNote.created_at)
        )
        return await self.first(query)

    async def owned(self, note_id: uuid.UUID, user_id: uuid.UUID) -> UserNote | None:
        query = select(UserNote).where(UserNote.id == note_id, UserNote.user_id == user_id)
        return await self.first(query)

    async def reload(self, note: UserNote) -> UserNote | None:
        """The note as committed now (another request may have saved it); None if deleted."""
        query = select(UserNote).where(UserNote.id == note.id)
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def versions(self, note_id: uuid.UUID) -> list[NoteVersion]:
        rows = await self.session.scalars(
            select(NoteVersion)
            .where(NoteVersion.note_id == note_id)
            .order_by(NoteVersion.version.desc())
        )
        return list(rows)

    async def concept_with_content_id(
        self, concept_id: uuid.UUID
    ) -> tuple[Concept, uuid.UUID] | None:
        row = (
            await self.session.execute(
                select(Concept, LearningMap.content_id)
                .join(LearningMap, LearningMap.id == Concept.learning_map_id)
                .where(Concept.id == concept_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def lock_pair(self, user_id: uuid.UUID, concept_id: uuid.UUID) -> None:
        """Serialise the first save of a note until the transaction ends, so two tabs saving
        at once make one note, not two."""
        if search.dialect_of(self.session) == "postgresql":
            digest = hashlib.sha256(user_id.bytes + concept_id.bytes).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            await self.session.execute(select(func.pg_advisory_xact_lock(key)))
        else:  # SQLite: a write statement takes the database's write lock
            await self.session.execute(text("UPDATE user_notes SET version = version WHERE 0"))

    async def create(
        self,
        user_id: uuid.UUID,
        concept: Concept,
        content_id: uuid.UUID,
        content: str,
        feedback: dict[str, Any],
    ) -> UserNote:
        note = UserNote(
            user_id=user_id,
            concept_id=concept.id,
            content_id=content_id,
            concept_title=concept.title,
            content=content,
            ai_feedback=feedback,
            version=1,
        )
        await self.add(note)
        await self._versioned(note)
        return note

    async def bump(
        self, note: UserNote, content: str, feedback: dict[str, Any], expected: int
    ) -> bool:
        """Save a new version if the note is still at `expected`; False if it moved on."""
        version = await self.session.scalar(
            update(UserNote)
            .where(UserNote.id == note.id, UserNote.version == expected)
            .values(content=content, ai_feedback=feedback, version=UserNote.version + 1)
            .returning(UserNote.version)
            .execution_options(synchronize_session=False)
        )
        if version is None:
            return False
        await self.session.refresh(note)
        await self._versioned(note)
        return True

    async def _versioned(self, note: UserNote) -> None:
        self.session.add(
            NoteVersion(
                note_id=note.id,
                version=note.version,
                content=note.content,
                ai_feedback=note.ai_feedback,
            )
        )
        await self.session.flush()
        await search.index_note(self.session, note.id, note.user_id, note.content)

    async def remove(self, note: UserNote) -> None:
        """The note, its versions and its search row."""
        await search.unindex_note(self.session, note.id)
        await self.session.execute(delete(NoteVersion).where(NoteVersion.note_id == note.id))
        await self.session.delete(note)
        await self.session.flush()

    async def rows(
        self,
        user_id: uuid.UUID,
        *,
        content_id: uuid.UUID | None = None,
        note_ids: Sequence[uuid.UUID] | None = None,
    ) -> list[NoteRow]:
        """The learner's notes, most recently updated first."""
        query = self._with_names().where(UserNote.user_id == user_id)
        if content_id is not None:
            query = query.where(UserNote.content_id == content_id)
        if note_ids is not None:
            query = query.where(UserNote.id.in_(note_ids))
        result = await self.session.execute(
            query.order_by(UserNote.updated_at.desc()).limit(LIST_LIMIT)
        )
        return [
            NoteRow(note, concept, content_id, title) for note, concept, content_id, title in result
        ]

    async def current_text(self, user_id: uuid.UUID, concept_id: uuid.UUID) -> str | None:
        note = await self.of_concept(user_id, concept_id)
        return note.content if note else None

    async def adopt_orphans(self, content_id: uuid.UUID, concepts: Sequence[Concept]) -> int:
        """Give notes whose concept a map regeneration dropped back to a concept of the same
        title in the new map (unless the learner already has a note there). Returns how many."""
        by_title = {c.title.strip().lower(): c for c in concepts}
        orphans = await self.session.scalars(
            select(UserNote).where(UserNote.content_id == content_id, UserNote.concept_id.is_(None))
        )
        adopted = 0
        for note in orphans:
            concept = by_title.get(note.concept_title.strip().lower())
            if concept is None or await self.of_concept(note.user_id, concept.id) is not None:
                continue
            note.concept_id = concept.id
            adopted += 1
        await self.session.flush()
        return adopted

    @staticmethod
    def _with_names() -> Select[UserNote, str, uuid.UUID, str]:
        """The concept's current title, or the one the note was written for if the concept
        is no longer in the map."""
        return (
            select(
                UserNote,
                func.coalesce(Concept.title, UserNote.concept_title),
                Content.id,
                Content.title,
            )
            .outerjoin(Concept, Concept.id == UserNote.concept_id)
            .join(Content, Content.id == UserNote.content_id)
        )
