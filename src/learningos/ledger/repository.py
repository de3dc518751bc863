"""Every query of the ledger. Postings are inserts only: nothing here updates or deletes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy import insert as insert_entries
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from learningos.kit.db import utcnow
from learningos.ledger.accounts import CREATOR_PREFIX, PENDING_SUFFIX
from learningos.models.ledger import LedgerEntry, LedgerKind, LedgerTransaction

PENDING_PATTERN = f"{CREATOR_PREFIX}%{PENDING_SUFFIX}"


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_transaction(
        self,
        *,
        key: str,
        kind: LedgerKind,
        currency: str,
        ref_type: str,
        ref_id: uuid.UUID,
        memo: str,
        entries: Sequence[tuple[str, int, str]],
    ) -> uuid.UUID | None:
        """Insert the transaction and its entries; None (and nothing written) when a
        transaction with this key exists. ON CONFLICT DO NOTHING makes a concurrent post of
        the same key wait for the first one's commit and then write nothing, with no error
        that would abort the caller's transaction."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        now = utcnow()
        statement = (
            insert(LedgerTransaction)
            .values(
                id=uuid.uuid4(),
                key=key,
                kind=kind.value,
                currency=currency,
                ref_type=ref_type,
                ref_id=ref_id,
                memo=memo,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(LedgerTransaction.id)
        )
        transaction_id = (await self.session.execute(statement)).scalar_one_or_none()
        if transaction_id is None:
            return None
        rows = [
            {
                "id": uuid.uuid4(),
                "transaction_id": transaction_id,
                "account": account,
                "amount_cents": amount,
                "currency": entry_currency,
                "created_at": now,
            }
            for account, amount, entry_currency in entries
        ]
        await self.session.execute(insert_entries(LedgerEntry), rows)
        return transaction_id

    async def find_by_key(self, key: str) -> LedgerTransaction | None:
        return await self.session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.key == key)
        )

    async def sum_of(self, account: str, currency: str) -> int:
        query = select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.account == account, LedgerEntry.currency == currency
        )
        return int(await self.session.scalar(query) or 0)

    async def sums_of(self, accounts: Sequence[str], currency: str) -> dict[str, int]:
        query = (
            select(LedgerEntry.account, func.sum(LedgerEntry.amount_cents))
            .where(LedgerEntry.account.in_(accounts), LedgerEntry.currency == currency)
            .group_by(LedgerEntry.account)
        )
        return {account: int(total) for account, total in (await self.session.execute(query))}

    async def creator_sums(self) -> list[tuple[str, str, int]]:
        """(account, currency, balance) of every creator account that has entries."""
        query = (
            select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_cents))
            .where(LedgerEntry.account.like(f"{CREATOR_PREFIX}%"))
            .group_by(LedgerEntry.account, LedgerEntry.currency)
            .order_by(LedgerEntry.account, LedgerEntry.currency)
        )
        return [(a, c, int(t)) for a, c, t in (await self.session.execute(query))]

    async def pending_to_release(
        self, cutoff: datetime, limit: int
    ) -> list[tuple[uuid.UUID, str, str, int]]:
        """(transaction id, pending account, currency, net amount) of the transactions
        posted at or before `cutoff` that moved money into or out of a creator's pending
        account and have no release transaction yet."""
        release = aliased(LedgerTransaction)
        due = (
            select(LedgerTransaction.id)
            .where(
                LedgerTransaction.created_at <= cutoff,
                LedgerTransaction.kind != LedgerKind.RELEASE.value,
                exists().where(
                    LedgerEntry.transaction_id == LedgerTransaction.id,
                    LedgerEntry.account.like(PENDING_PATTERN),
                ),
                ~exists().where(
                    and_(
                        release.kind == LedgerKind.RELEASE.value,
                        release.ref_type == "ledger_transaction",
                        release.ref_id == LedgerTransaction.id,
                    )
                ),
            )
            .order_by(LedgerTransaction.created_at, LedgerTransaction.id)
            .limit(limit)
            .subquery()
        )
        query = (
            select(
                LedgerEntry.transaction_id,
                LedgerEntry.account,
                LedgerEntry.currency,
                func.sum(LedgerEntry.amount_cents),
            )
            .where(
                LedgerEntry.transaction_id.in_(select(due.c.id)),
                LedgerEntry.account.like(PENDING_PATTERN),
            )
            .group_by(LedgerEntry.transaction_id, LedgerEntry.account, LedgerEntry.currency)
            .order_by(LedgerEntry.transaction_id, LedgerEntry.account)
        )
        return [(t, a, c, int(s)) for t, a, c, s in (await self.session.execute(query))]

    # -- checks ------------------------------------------------------------------------
    async def unbalanced(self) -> list[tuple[uuid.UUID, str, str, int]]:
        """(transaction id, key, currency, sum) of every transaction whose entries in a
        currency do not sum to zero."""
        total = func.sum(LedgerEntry.amount_cents)
        query = (
            select(LedgerTransaction.id, LedgerTransaction.key, LedgerEntry.currency, total)
            .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .group_by(LedgerTransaction.id, LedgerTransaction.key, LedgerEntry.currency)
            .having(total != 0)
        )
        return [(i, k, c, int(s)) for i, k, c, s in (await self.session.execute(query))]

    async def without_entries(self) -> list[tuple[uuid.UUID, str]]:
        query = select(LedgerTransaction.id, LedgerTransaction.key).where(
            ~exists().where(LedgerEntry.transaction_id == LedgerTransaction.id)
        )
        return [(i, k) for i, k in (await self.session.execute(query))]

    async def zero_entries(self) -> list[tuple[uuid.UUID, str]]:
        query = select(LedgerEntry.transaction_id, LedgerEntry.account).where(
            LedgerEntry.amount_cents == 0
        )
        return [(i, a) for i, a in (await self.session.execute(query))]

    async def accounts(self) -> list[str]:
        query = select(LedgerEntry.account).distinct().order_by(LedgerEntry.account)
        return list(await self.session.scalars(query))
