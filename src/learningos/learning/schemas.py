from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ConceptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    description: str
    difficulty: int
    estimated_minutes: int
    order_index: int
    milestone: int
    prerequisites: list[str]
    source_sections: list[str]
    page_start: int | None
    page_end: int | None
    hidden: bool = False


class MilestoneOut(BaseModel):
    title: str
    description: str = ""


class MapOut(BaseModel):
    id: uuid.UUID
    content_id: uuid.UUID
    overview: str
    milestones: list[MilestoneOut]
    total_minutes: int
    generated_by: str | None
    generated_at: datetime
    concepts: list[ConceptOut]


class GenerateMapIn(BaseModel):
    content_id: uuid.UUID
    # "fewer" broader concepts, "more" finer ones; the planner's own count by default.
    granularity: Literal["fewer", "default", "more"] = "default"
    # Keep the new map as a draft to compare (GET /content/{id}/map/draft) before replacing.
    preview: bool = False


class MapDraftOut(BaseModel):
    granularity: str
    made_at: str
    kept: list[str]  # concepts that stay, with their progress and notes
    added: list[str]
    removed: list[str]


class ConceptPatchIn(BaseModel):
    """The fields to change; the others stay."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    difficulty: int | None = Field(default=None, ge=1, le=5)
    hidden: bool | None = None
    prerequisites: list[uuid.UUID] | None = Field(default=None, max_length=200)


class ConceptMoveIn(BaseModel):
    position: int = Field(ge=0, le=10_000)  # 0-based place in the map's order


class ConceptMergeIn(BaseModel):
    into: uuid.UUID  # the concept that stays


class ConceptNewIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    after: uuid.UUID | None = None  # the new concept's place (default: the end)


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=1000)


class CitationOut(BaseModel):
    section_id: str | None
    title: str
    page_start: int | None
    page_end: int | None


class UsageOut(BaseModel):
    engine: str  # "offline engine" or "provider · model"
    provider: str
    model: str
    prompt_id: str | None
    prompt_version: int | None
    tokens_in: int
    tokens_out: int
    cost_usd: str
    latency_ms: int
    fallback: bool


class AskOut(BaseModel):
    answer: str
    question: str  # the tutor's follow-up question
    citations: list[CitationOut]
    usage: UsageOut
