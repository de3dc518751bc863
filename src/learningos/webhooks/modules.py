"""The modules that register webhook handlers (`@handles(...)`), imported by the processing
job before it looks a handler up. A domain that acts on provider events adds its module."""

from __future__ import annotations

import importlib

HANDLER_MODULES: tuple[str, ...] = (
    "learningos.sales.webhooks",
    "learningos.donations.webhooks",
)


def load_handler_modules() -> None:
    for name in HANDLER_MODULES:
        importlib.import_module(name)
