"""ASGI entry point for uvicorn workers: `learningos.asgi:app`."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Built on first access (by the server), not at import time.
    if name == "app":
        from learningos.app import create_app

        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
