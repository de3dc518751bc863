from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class OnboardIn(BaseModel):
    accept_agreement: bool
    agreement_version: str = Field(min_length=1, max_length=32)
    legal_name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2)
    tax_id: str | None = Field(default=None, max_length=64)


class CreatorOut(BaseModel):
    user_id: uuid.UUID
    role: str
    legal_name: str
    country: str
    tax_id: str | None
    agreement_version: str
    agreement_accepted_at: datetime
