"""What `learningos ledger check` prints: each creator's balances, and the problems."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ledger import accounts
from learningos.ledger.checks import run_checks
from learningos.ledger.repository import LedgerRepository


def cents(amount: int, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100:,}.{abs(amount) % 100:02d} {currency}"


async def creator_report(session: AsyncSession) -> tuple[list[str], list[str]]:
    """(one line per creator and currency: pending, available, on hold; the problems)."""
    balances: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for account, currency, total in await LedgerRepository(session).creator_sums():
        creator = accounts.creator_of(account)
        kind = account.rsplit(":", 1)[-1]
        balances[(str(creator or account), currency)][kind] += total
    lines = [
        f"creator {creator}: pending {cents(sums['pending'], currency)}, "
        f"available {cents(sums['available'], currency)}"
        + (f", on hold {cents(sums['payout_hold'], currency)}" if sums.get("payout_hold") else "")
        for (creator, currency), sums in sorted(balances.items())
    ]
    return lines, await run_checks(session)
