from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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
    created_at: datetime
    # The listing: `/c/{slug}` once listed, the served cover, the learners' ratings.
    slug: str | None = None
    cover_url: str | None = None
    rating_average: float = 0.0
    rating_count: int = 0


class RenameIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)


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
