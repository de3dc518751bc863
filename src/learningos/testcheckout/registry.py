"""What the test checkout can pay for: one builder per kind ("sale", "donation", ...), each
turning our own row into the processor's webhook bodies. A domain registers its kind from a
module listed in BUILDER_MODULES:

    register(TestKind(kind="sale", provider=PaymentProvider.LEMON_SQUEEZY,
                      describe=describe_sale, build=build_sale))

`describe(session, user, ref_id)` says what is being paid (None: not this user's, or no such
row → 404) and `build(session, ref_id, action)` returns the (event name, JSON body) pairs to
deliver for "pay" or "refund", exactly as the processor would send them (unsigned: the test
checkout signs and posts them to our own webhook endpoint)."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models.user import User

# The modules that register test-checkout kinds (donate adds "learningos.donations.testcheckout").
BUILDER_MODULES: tuple[str, ...] = (
    "learningos.sales.testcheckout",
    "learningos.donations.testcheckout",
)


class TestAction(StrEnum):
    PAY = "pay"
    REFUND = "refund"


@dataclass(frozen=True)
class Described:
    """What the test checkout page shows, and which buttons it offers."""

    title: str
    amount_cents: int
    currency: str
    return_url: str  # where the browser goes after paying (a path on this site)
    can_pay: bool
    can_refund: bool


Describe = Callable[[AsyncSession, User, uuid.UUID], Awaitable[Described | None]]
Build = Callable[[AsyncSession, uuid.UUID, TestAction], Awaitable[list[tuple[str, bytes]]]]


@dataclass(frozen=True)
class TestKind:
    kind: str
    provider: str  # a PaymentProvider value: which webhook endpoint and signature
    describe: Describe
    build: Build


_KINDS: dict[str, TestKind] = {}


def register(kind: TestKind) -> None:
    _KINDS[kind.kind] = kind


def find(kind: str) -> TestKind | None:
    for module in BUILDER_MODULES:
        importlib.import_module(module)
    return _KINDS.get(kind)
