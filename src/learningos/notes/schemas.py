from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_NOTE_CHARS = 20_000


class NoteIn(BaseModel):
    concept_id: uuid.UUID
    content: str = Field(default="", max_length=MAX_NOTE_CHARS)


class NoteUpdate(BaseModel):
    content: str = Field(default="", max_length=MAX_NOTE_CHARS)
    # The version the text was edited from; a newer one saved meanwhile answers 409.
    version: int | None = Field(default=None, ge=1)


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    concept_id: uuid.UUID | None  # None: the concept left the map, the note stayed
    content_id: uuid.UUID
    content: str
    version: int
    ai_feedback: dict[str, Any] | None
    updated_at: datetime


class NoteVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    content: str
    ai_feedback: dict[str, Any] | None
    created_at: datetime


class NoteDetail(NoteOut):
    versions: list[NoteVersionOut]  # newest first


class NoteListItem(NoteOut):
    concept_title: str
    content_title: str
    available: bool = True  # False: access to the item ended; the note is kept


class NoteHitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    concept_id: uuid.UUID | None
    concept_title: str
    content_id: uuid.UUID
    content_title: str
    snippet: str
    updated_at: datetime


class NoteSearchOut(BaseModel):
    query: str
    hits: list[NoteHitOut]  # best first
