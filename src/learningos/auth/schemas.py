from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterIn(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(max_length=4096)


class LoginIn(StrictModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=4096)
    remember: bool = False


class RefreshIn(StrictModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class LogoutIn(StrictModel):
    refresh_token: str | None = Field(default=None, max_length=200)


class PasswordChangeIn(StrictModel):
    current_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(max_length=4096)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    role: str
    tier: str
    avatar_url: str | None
    preferences: dict[str, Any]
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class LoginOut(TokenPair):
    user: UserOut
