from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from learningos.listing.service import REVIEW_MAX_CHARS


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5, strict=True)
    # HTML is text: kept as typed, escaped wherever it is shown.
    review: str | None = Field(default=None, max_length=REVIEW_MAX_CHARS)


class RatingOut(BaseModel):
    content_id: uuid.UUID
    rating: int
    review: str | None
    created_at: datetime
    updated_at: datetime
    rating_average: float
    rating_count: int


class AggregateOut(BaseModel):
    content_id: uuid.UUID
    rating_average: float
    rating_count: int


class ReviewOut(BaseModel):
    rating: int
    review: str | None
    author: str
    created_at: datetime
    updated_at: datetime
    mine: bool


class ReviewsOut(BaseModel):
    items: list[ReviewOut]
    total: int
    page: int
    per_page: int
    rating_average: float
    rating_count: int
