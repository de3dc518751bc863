from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from learningos.models.content import Category


class ContentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    description: str | None
    type: str
    status: str
    stage: str | None
    progress: int
    status_message: str | None
    file_name: str | None
    file_size: int | None
    page_count: int | None
    visibility: str
    category: str | None = None
    created_at: datetime
    # The listing: `/c/{slug}` once listed, the served cover, the learners' ratings.
    slug: str | None = None
    cover_url: str | None = None
    rating_average: float = 0.0
    rating_count: int = 0


DESCRIPTION_MAX = 5000  # the upload form's limit too


class ContentUpdate(BaseModel):
    """The owner's changes to an item's title and listing fields; fields left out stay as
    they are, `null` (or an empty text) clears the description or the category."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    category: Category | None = None


class UploadOut(BaseModel):
    content: ContentOut
    duplicate: bool
    job_id: uuid.UUID | None


class SectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    level: int
    kind: str
    page_start: int | None
    page_end: int | None


class ContentDetail(ContentOut):
    sections: list[SectionOut]


class StageOut(BaseModel):
    key: str
    label: str
    state: str


class StatusOut(BaseModel):
    id: uuid.UUID
    status: str
    stage: str | None
    progress: int
    message: str | None
    stages: list[StageOut]


class HitOut(BaseModel):
    section_id: uuid.UUID
    title: str
    page_start: int | None
    page_end: int | None
    score: float
    snippet: str


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]
