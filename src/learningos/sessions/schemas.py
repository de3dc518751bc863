from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field


class StartIn(BaseModel):
    content_id: uuid.UUID
    concept_id: uuid.UUID | None = None
    mode: Literal["learn", "review"] = "learn"
    # Review mode: these concepts, in this order (e.g. the weak areas of the progress page)
    # instead of the ones due for review.
    review: list[uuid.UUID] | None = Field(default=None, max_length=50)


class InteractIn(BaseModel):
    session_id: uuid.UUID
    action: Literal["start", "answer", "continue", "ask", "pause", "resume", "end", "skip"]
    message: str | None = Field(default=None, max_length=5000)
    # Sent with each learner message: a retried request with the same id is not applied twice.
    client_id: str | None = Field(default=None, min_length=1, max_length=64)
