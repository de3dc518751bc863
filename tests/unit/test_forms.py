"""form_errors: which messages go beside their field and which above the whole form."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from learningos.kit.errors import Conflict, RateLimited, ValidationFailed
from learningos.web.forms import form_errors


class Profile(BaseModel):
    email: str
    pace: str

    @field_validator("pace")
    @classmethod
    def known(cls, value: str) -> str:
        if value not in ("slow", "normal"):
            raise ValueError("Choose slow or normal.")
        return value


def taken() -> Conflict:
    message = "Another account already uses this email."
    return Conflict(message, details=[{"field": "email", "message": message}])


def test_an_error_naming_a_field_goes_beside_it():
    assert form_errors(taken()) == ({"email": "Another account already uses this email."}, None)


def test_an_error_naming_no_field_or_another_field_goes_above_the_form():
    assert form_errors(RateLimited(30)) == ({}, "Too many attempts. Try again in 30 seconds.")
    title = ValidationFailed("Give it a title.", details=[{"field": "title", "message": "x"}])
    assert form_errors(title, fields=("file",)) == ({}, "Give it a title.")
    assert form_errors(taken(), fields=()) == ({}, "Another account already uses this email.")


def test_schema_errors_go_beside_their_fields():
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate({"email": "a@b.co", "pace": "warp"})
    assert form_errors(caught.value) == ({"pace": "Choose slow or normal."}, None)
    assert form_errors(caught.value, fields=("email",)) == ({}, "Choose slow or normal.")
