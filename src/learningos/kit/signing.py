"""The token-signing secret: refused when weak, generated and kept in the data folder when
none is configured (so no published default ever signs a token)."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from pathlib import Path

MIN_SECRET_CHARS = 32
# Shannon estimate over the characters, in bits: 32 random hex digits give about 115, 32
# random URL-safe characters about 150 (the bar leaves room for unlucky draws); "a" * 32
# gives 0, "abcd" * 8 gives 64.
MIN_SECRET_BITS = 90
SECRET_FILE = "jwt-secret"  # noqa: S105 - a file name
# Secrets that were once published as examples; never accepted, whatever their entropy.
PUBLISHED = frozenset({"dev-only-insecure-secret-change-me-0123456789"})


def estimated_bits(value: str) -> float:
    """Shannon entropy of the character distribution times the length."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    per_char = -sum(n / total * math.log2(n / total) for n in counts.values())
    return per_char * total


def secret_problem(value: str) -> str | None:
    """Why this signing secret must not be used, or None."""
    if value in PUBLISHED:
        return "is a published example value"
    if len(value) < MIN_SECRET_CHARS:
        return f"must be at least {MIN_SECRET_CHARS} characters"
    if estimated_bits(value) < MIN_SECRET_BITS or value in (value + value)[1:-1]:
        return "is too predictable (too few different characters, or a repeated pattern)"
    return None


def load_or_create_secret(data_dir: Path) -> str:
    """The secret kept in `<data_dir>/jwt-secret`, created (mode 0600) on first start."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: a second
        # process starting at the same moment either wins or reads the complete winner.
        temp = data_dir / f".{SECRET_FILE}.{secrets.token_hex(4)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    os.chmod(path, 0o600)
    value = path.read_text(encoding="utf-8").strip()
    problem = secret_problem(value)
    if problem:
        raise ValueError(
            f"The signing secret in {path} {problem}. Delete the file to generate a new one "
            "(everyone will have to sign in again)."
        )
    return value
