"""`learningos ledger check`: named checks that each return the problems they found.

The ledger's own checks (every transaction balances, has entries, no zero amounts, every
account name is one accounts.py makes) are registered here; domains that post to the
ledger register theirs (every completed row has its entries, no entry lacks its row) from
a module listed in CHECK_MODULES:

    register_check("sales.purchases", check_purchases)   # async fn(session) -> list[str]
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ledger.repository import LedgerRepository
from learningos.models.webhooks import PaymentProvider

Check = Callable[[AsyncSession], Awaitable[list[str]]]

# Modules that register checks when imported (sales: "learningos.sales.checks", donations:
# "learningos.donations.checks").
CHECK_MODULES: tuple[str, ...] = ("learningos.sales.checks", "learningos.donations.checks")

_CHECKS: dict[str, Check] = {}

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_PROVIDERS = "|".join(re.escape(p.value) for p in PaymentProvider)
ACCOUNT_SHAPES = re.compile(
    rf"creator:{_UUID}:(pending|available|payout_hold)"
    r"|platform:revenue"
    rf"|processor:({_PROVIDERS}):(clearing|fees)"
)


def register_check(name: str, fn: Check) -> None:
    """Add a check under `name` (registering a name again replaces it)."""
    _CHECKS[name] = fn


def load_check_modules() -> None:
    for module in CHECK_MODULES:
        importlib.import_module(module)


def registered() -> dict[str, Check]:
    return dict(_CHECKS)


async def run_checks(session: AsyncSession) -> list[str]:
    """Every problem every registered check finds, each prefixed with the check's name."""
    load_check_modules()
    problems: list[str] = []
    for name, fn in sorted(_CHECKS.items()):
        problems += [f"{name}: {problem}" for problem in await fn(session)]
    return problems


async def check_balanced(session: AsyncSession) -> list[str]:
    repo = LedgerRepository(session)
    problems = [
        f"transaction {key} ({tx_id}) sums to {total:+d} {currency}, not 0"
        for tx_id, key, currency, total in await repo.unbalanced()
    ]
    problems += [
        f"transaction {key} ({tx_id}) has no entries" for tx_id, key in await repo.without_entries()
    ]
    problems += [
        f"transaction {tx_id} has an entry of 0 on {account}"
        for tx_id, account in await repo.zero_entries()
    ]
    return problems


async def check_accounts(session: AsyncSession) -> list[str]:
    return [
        f"entries on {account!r}, which is not an account accounts.py makes"
        for account in await LedgerRepository(session).accounts()
        if not ACCOUNT_SHAPES.fullmatch(account)
    ]


register_check("ledger.balanced", check_balanced)
register_check("ledger.accounts", check_accounts)
