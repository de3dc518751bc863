"""Importing the password module does no hashing: the dummy hash is made on first use."""

from __future__ import annotations

import subprocess
import sys


def test_importing_security_hashes_nothing() -> None:
    code = (
        "import learningos.kit.security as s\n"
        "assert s._dummy_hash.cache_info().currsize == 0, 'hashed at import time'\n"
        "s._dummy_hash()\n"
        "assert s._dummy_hash.cache_info().currsize == 1\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
