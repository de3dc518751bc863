from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learningos.auth.policy import MAX_PASSWORD, normalize_email, password_problem
from learningos.kit.errors import ValidationFailed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Ann@Example.COM", "ann@example.com"), ("  bob@x.org ", "bob@x.org")],
)
def test_emails_are_normalised(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "plain", "a@", "@b.com", "a b@c.com", "a@b@c.com"])
def test_malformed_emails_are_refused(raw):
    with pytest.raises(ValidationFailed):
        normalize_email(raw)


def test_password_rules():
    assert password_problem("short") == "Use at least 10 characters."
    assert password_problem("x" * (MAX_PASSWORD + 1)).startswith("Use at most")
    assert "too common" in (password_problem("password123") or "")
    assert "too common" in (password_problem("aaaaaaaaaaaa") or "")
    assert "email" in (password_problem("sokhachan99!", email="sokhachan@example.com") or "")
    assert "name" in (password_problem("dara-sok-rocks", name="Dara Sok") or "")
    assert password_problem("correct horse battery") is None


@given(st.text(min_size=0, max_size=300))
def test_policy_never_crashes_and_bounds_length(password):
    problem = password_problem(password)
    if len(password) < 10 or len(password) > MAX_PASSWORD:
        assert problem is not None
