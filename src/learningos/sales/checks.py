"""`learningos ledger check` for sales: every completed or refunded purchase has its ledger
transactions with the right entries, and no sale or refund transaction lacks its purchase."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ledger.checks import register_check
from learningos.models.ledger import LedgerEntry, LedgerKind, LedgerTransaction
from learningos.models.sales import Purchase, PurchaseStatus
from learningos.sales.orders import REF_TYPE, refund_entries, refund_key, sale_entries, sale_key


def _legs(entries: list[tuple[str, int, str]]) -> Counter[tuple[str, int, str]]:
    return Counter(entries)


async def check_purchases(session: AsyncSession) -> list[str]:
    problems: list[str] = []
    rows = await session.execute(
        select(LedgerTransaction.key, LedgerEntry.account, LedgerEntry.amount_cents,
               LedgerEntry.currency, LedgerTransaction.ref_id, LedgerTransaction.kind)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.ref_type == REF_TYPE)
    )  # fmt: skip
    posted: dict[str, list[tuple[str, int, str]]] = {}
    refs: dict[str, object] = {}
    for key, account, cents, currency, ref_id, kind in rows:
        posted.setdefault(key, []).append((account, int(cents), currency))
        refs[key] = (ref_id, kind)
    purchases = {
        p.id: p
        for p in await session.scalars(
            select(Purchase).where(
                Purchase.status.in_((PurchaseStatus.COMPLETED, PurchaseStatus.REFUNDED))
            )
        )
    }
    expected: set[str] = set()
    for purchase in purchases.values():
        order = purchase.provider_order_id or ""
        wanted = [(sale_key(order), sale_entries(purchase))]
        if purchase.status == PurchaseStatus.REFUNDED:
            wanted.append((refund_key(order), refund_entries(purchase)))
        for key, entries in wanted:
            expected.add(key)
            legs = _legs([(e.account, e.amount_cents, e.currency) for e in entries])
            if key not in posted:
                problems.append(f"purchase {purchase.id} ({purchase.status}) has no {key}")
            elif _legs(posted[key]) != legs:
                problems.append(f"purchase {purchase.id}: {key} does not match its amounts")
    for key, (ref_id, kind) in refs.items():  # type: ignore[misc]
        if key in expected:
            continue
        if kind in (LedgerKind.SALE, LedgerKind.REFUND):
            problems.append(f"{key} has no completed or refunded purchase (ref {ref_id})")
    return problems


register_check("sales.purchases", check_purchases)
