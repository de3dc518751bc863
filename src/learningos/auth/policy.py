"""Email normalisation and the password policy, shared by the API and the pages."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from learningos.kit.errors import ValidationFailed

MIN_PASSWORD = 10
MAX_PASSWORD = 128
# The most common passwords of public breach lists that meet the length rule.
COMMON_PASSWORDS = frozenset(
    [
        "1234567890",
        "12345678910",
        "123456789a",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "0987654321",
        "1111111111",
        "qwertyuiop",
        "password123",
        "password1234",
        "iloveyou123",
        "qwerty1234",
        "qwerty12345",
        "1234qwer!",
        "abcdefghij",
        "abc1234567",
        "letmein123",
        "welcome123",
        "welcome1234",
        "administrator",
        "passw0rd123",
        "football123",
        "baseball123",
        "princess123",
        "sunshine123",
        "superman123",
        "trustno1234",
        "monkey1234",
        "dragon1234",
        "master1234",
        "qazwsxedc123",
        "zaq12wsxcde",
        "1234567890a",
        "aaaaaaaaaa",
        "password!23",
        "changeme123",
        "p@ssw0rd123",
        "p@ssword123",
        "learningos",
        "learningos1",
        "learningos123",
    ]
)


def normalize_email(raw: str) -> str:
    """Validate the syntax (no DNS lookups) and return the lower-cased address."""
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        message = "Enter a valid email address, like name@example.com."
        raise ValidationFailed(
            message,
            details=[{"field": "email", "message": message, "type": "email", "reason": str(exc)}],
        ) from exc
    return info.normalized.lower()


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """The first reason this password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    if password.strip() != password:
        return "Don't start or end the password with spaces."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return "This password is too common or too simple. Try a short sentence instead."
    letters = _alnum(lowered)
    local = _alnum(email.split("@", 1)[0])
    if len(local) >= 4 and local in letters:
        return "Don't use your email address in the password."
    compact_name = _alnum(name)
    if len(compact_name) >= 4 and compact_name in letters:
        return "Don't use your name in the password."
    return None


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def check_password(
    password: str, *, email: str = "", name: str = "", field: str = "password"
) -> None:
    problem = password_problem(password, email, name)
    if problem:
        raise ValidationFailed(
            problem, details=[{"field": field, "message": problem, "type": "password_policy"}]
        )
