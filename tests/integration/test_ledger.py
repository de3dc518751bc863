"""The ledger: balanced postings in integer cents, idempotent keys (also 20 at once on
PostgreSQL), balances derived from entries, the release after the refund window, and the
check that finds what does not add up. SQLite, and PostgreSQL with the test URL set."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from learningos.kit.db import utcnow
from learningos.ledger import accounts
from learningos.ledger.checks import register_check, registered, run_checks
from learningos.ledger.service import (
    Entry,
    Unbalanced,
    balance,
    creator_balances,
    post,
    release_due,
)
from learningos.models.ledger import LedgerEntry, LedgerKind, LedgerTransaction
from learningos.models.webhooks import PaymentProvider
from tests.conftest import PG_URL, eventually

LS = PaymentProvider.LEMON_SQUEEZY


def sale_entries(creator: uuid.UUID, gross: int = 1000, fee: int = 100, commission: int = 200):
    """The contract's example: clearing −gross, fees +fee, platform +commission, creator rest."""
    return [
        Entry(accounts.processor_clearing(LS), -gross),
        Entry(accounts.processor_fees(LS), fee),
        Entry(accounts.platform_revenue(), commission),
        Entry(accounts.creator_pending(creator), gross - fee - commission),
    ]


async def sell(session, creator: uuid.UUID, key: str | None = None, **amounts) -> bool:  # type: ignore[no-untyped-def]
    return await post(
        session,
        key=key or f"sale:{uuid.uuid4()}",
        kind=LedgerKind.SALE,
        entries=sale_entries(creator, **amounts),
        ref_type="ledger-test",
        ref_id=uuid.uuid4(),
    )


async def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def test_account_names_come_from_one_place() -> None:
    user = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert accounts.creator_pending(user) == f"creator:{user}:pending"
    assert accounts.creator_available(user) == f"creator:{user}:available"
    assert accounts.platform_revenue() == "platform:revenue"
    assert accounts.processor_clearing("paddle") == "processor:paddle:clearing"
    assert accounts.processor_fees(LS) == "processor:lemon_squeezy:fees"
    assert accounts.creator_of(accounts.payout_hold(user)) == user
    assert accounts.creator_of("platform:revenue") is None
    with pytest.raises(ValueError):
        accounts.processor_clearing("stripe")


async def test_a_balanced_sale_posts_and_balances_are_sums(services):
    creator = uuid.uuid4()
    async with services.db.transaction() as session:
        assert await sell(session, creator)
    async with services.db.transaction() as session:
        assert await balance(session, accounts.processor_clearing(LS)) == -1000
        assert await balance(session, accounts.processor_fees(LS)) == 100
        assert await balance(session, accounts.platform_revenue()) == 200
        assert await balance(session, accounts.creator_pending(creator)) == 700
        assert await balance(session, accounts.creator_pending(creator), "KHR") == 0
        got = await creator_balances(session, creator)
        assert (got.pending, got.available, got.currency) == (700, 0, "USD")
        assert await run_checks(session) == []


@pytest.mark.parametrize(
    "entries",
    [
        [Entry("platform:revenue", 100), Entry("processor:paddle:clearing", -99)],
        [Entry("platform:revenue", 100), Entry("processor:paddle:clearing", -100, "EUR")],
        [Entry("platform:revenue", 0), Entry("processor:paddle:clearing", 0)],
        [Entry("platform:revenue", 5), Entry("processor:paddle:fees", 0), Entry("x", -5)],
        [Entry("platform:revenue", 1.5), Entry("processor:paddle:clearing", -1.5)],  # type: ignore[arg-type]
        [Entry("platform:revenue", True), Entry("processor:paddle:clearing", -1)],  # type: ignore[arg-type]
        [Entry("platform:revenue", 100, "usd"), Entry("processor:paddle:clearing", -100, "usd")],
        [Entry("platform:revenue", 100)],
        [],
    ],
)
async def test_unbalanced_or_zero_entries_are_refused_and_write_nothing(services, entries):
    async with services.db.transaction() as session:
        with pytest.raises(Unbalanced):
            await post(
                session,
                key="bad",
                kind=LedgerKind.SALE,
                entries=entries,
                ref_type="ledger-test",
                ref_id=uuid.uuid4(),
            )
        assert await count(session, LedgerTransaction) == 0
        assert await count(session, LedgerEntry) == 0


async def test_two_currencies_balance_separately(services):
    async with services.db.transaction() as session:
        posted = await post(
            session,
            key="fx",
            kind=LedgerKind.SALE,  # a kind the domain checks leave to ref_type
            entries=[
                Entry("platform:revenue", 100, "USD"),
                Entry("processor:paddle:clearing", -100, "USD"),
                Entry("platform:revenue", 41000, "KHR"),
                Entry("processor:paddle:clearing", -41000, "KHR"),
            ],
            ref_type="ledger-test",
            ref_id=uuid.uuid4(),
        )
        assert posted
        assert await balance(session, "platform:revenue", "KHR") == 41000
        assert await run_checks(session) == []


async def test_the_same_key_posts_once(services):
    creator = uuid.uuid4()
    async with services.db.transaction() as session:
        assert await sell(session, creator, key="order:1")
        assert not await sell(session, creator, key="order:1", gross=5000)
    async with services.db.transaction() as session:
        assert not await sell(session, creator, key="order:1")
        assert await count(session, LedgerTransaction) == 1
        assert await count(session, LedgerEntry) == 4
        assert await balance(session, accounts.creator_pending(creator)) == 700


async def test_a_post_rolled_back_with_its_business_row_leaves_nothing(services):
    creator = uuid.uuid4()
    with pytest.raises(RuntimeError):
        async with services.db.transaction() as session:
            assert await sell(session, creator, key="order:2")
            raise RuntimeError("the business row failed")
    async with services.db.transaction() as session:
        assert await count(session, LedgerTransaction) == 0
        assert await sell(session, creator, key="order:2")  # the key is free again


@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
async def test_twenty_concurrent_posts_of_one_key_make_one_transaction(services):
    creator = uuid.uuid4()
    start = asyncio.Event()

    async def attempt() -> bool:
        await start.wait()
        async with services.db.transaction() as session:
            return await sell(session, creator, key="order:concurrent")

    tasks = [asyncio.create_task(attempt()) for _ in range(20)]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks)
    assert results.count(True) == 1 and results.count(False) == 19
    async with services.db.transaction() as session:
        assert await count(session, LedgerTransaction) == 1
        assert await count(session, LedgerEntry) == 4
        assert await balance(session, accounts.creator_pending(creator)) == 700


async def test_release_moves_pending_to_available_after_the_window_only(services):
    creator, other = uuid.uuid4(), uuid.uuid4()
    async with services.db.transaction() as session:
        assert await sell(session, creator, key="order:a")
        assert await sell(session, other, key="order:b", gross=2000, fee=150, commission=300)
    now = utcnow()
    async with services.db.transaction() as session:
        # Not yet: 13 days and 23 hours after the sales.
        assert (
            await release_due(session, window_days=14, now=now + timedelta(days=14, hours=-1)) == 0
        )
        assert (await creator_balances(session, creator)).pending == 700
    async with services.db.transaction() as session:
        assert (
            await release_due(session, window_days=14, now=now + timedelta(days=14, seconds=5)) == 2
        )
    async with services.db.transaction() as session:
        mine, theirs = (
            await creator_balances(session, creator),
            await creator_balances(session, other),
        )
        assert (mine.pending, mine.available) == (0, 700)
        assert (theirs.pending, theirs.available) == (0, 1550)
        # Again (the next day's run, or a second worker): nothing more moves.
        assert await release_due(session, window_days=14, now=now + timedelta(days=30)) == 0
        assert (await creator_balances(session, creator)).available == 700
        keys = set(await session.scalars(select(LedgerTransaction.key)))
        releases = {k for k in keys if k.startswith("release:")}
        assert len(releases) == 2
        assert await run_checks(session) == []


async def test_a_refund_inside_the_window_releases_the_net(services):
    creator = uuid.uuid4()
    async with services.db.transaction() as session:
        assert await sell(session, creator, key="order:r")
        refund = [Entry(e.account, -e.amount_cents) for e in sale_entries(creator)]
        assert await post(
            session,
            key="refund:r",
            kind=LedgerKind.REFUND,
            entries=refund,
            ref_type="ledger-test",
            ref_id=uuid.uuid4(),
        )
        assert (await creator_balances(session, creator)).pending == 0
    async with services.db.transaction() as session:
        # Both the sale and its refund are released: available nets to zero.
        assert await release_due(session, window_days=14, now=utcnow() + timedelta(days=15)) == 2
        got = await creator_balances(session, creator)
        assert (got.pending, got.available) == (0, 0)


async def test_the_release_job_runs_through_the_queue(services):
    from learningos.ledger.tasks import schedule_release
    from learningos.models.jobs import Job, JobName, JobStatus

    creator = uuid.uuid4()
    async with services.db.transaction() as session:
        assert await sell(session, creator)
    assert await schedule_release(services) is True
    assert await schedule_release(services) is False  # once a day
    async with services.db.transaction() as session:
        job = await session.scalar(select(Job).where(Job.name == JobName.LEDGER_RELEASE))
        assert job is not None
    await services.queue.run(job.id)  # as a worker would (in-process it may have run already)
    job_id = job.id

    async def done() -> bool:  # the in-process runner may still hold it
        async with services.db.scratch() as session:
            found = await session.get(Job, job_id)
            return found is not None and found.status == JobStatus.DONE

    assert await eventually(done, timeout=30)
    async with services.db.transaction() as session:
        # The window (14 days) has not passed: nothing released.
        assert (await creator_balances(session, creator)).pending == 700


async def test_the_check_finds_a_planted_imbalance(services):
    creator = uuid.uuid4()
    async with services.db.transaction() as session:
        assert await sell(session, creator, key="order:planted")
        assert await run_checks(session) == []
        tx_id = await session.scalar(
            select(LedgerTransaction.id).where(LedgerTransaction.key == "order:planted")
        )
        # Plant what post() refuses: an extra entry written behind the ledger's back.
        await session.execute(
            insert(LedgerEntry).values(
                id=uuid.uuid4(),
                transaction_id=tx_id,
                account=accounts.creator_pending(creator),
                amount_cents=5,
                currency="USD",
                created_at=utcnow(),
            )
        )
        await session.execute(
            insert(LedgerEntry).values(
                id=uuid.uuid4(),
                transaction_id=tx_id,
                account="creator:nobody:pending",
                amount_cents=0,
                currency="USD",
                created_at=utcnow(),
            )
        )
        problems = await run_checks(session)
        assert any("order:planted" in p and "+5 USD" in p for p in problems), problems
        assert any("entry of 0" in p for p in problems), problems
        assert any("'creator:nobody:pending'" in p for p in problems), problems
        await session.rollback()


async def test_domains_add_their_own_checks(services):
    async def always_wrong(session):  # type: ignore[no-untyped-def]
        return ["purchase 42 has no entries"]

    register_check("test.always_wrong", always_wrong)
    try:
        async with services.db.transaction() as session:
            assert await run_checks(session) == ["test.always_wrong: purchase 42 has no entries"]
    finally:
        from learningos.ledger import checks

        checks._CHECKS.pop("test.always_wrong")
    assert "test.always_wrong" not in registered()


ACCOUNTS = [
    accounts.platform_revenue(),
    accounts.processor_clearing(LS),
    accounts.processor_fees(LS),
    accounts.creator_pending(uuid.UUID(int=1)),
    accounts.creator_available(uuid.UUID(int=1)),
    accounts.creator_pending(uuid.UUID(int=2)),
]
# A transaction: amounts on accounts, the last account taking what makes the sum zero.
LEGS = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), st.integers(-(10**9), 10**9).filter(bool)),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(transactions=st.lists(st.tuples(LEGS, st.sampled_from(ACCOUNTS)), min_size=1, max_size=8))
async def test_any_sequence_of_balanced_transactions_keeps_the_books(services, transactions):
    expected: dict[str, int] = defaultdict(int)
    async with services.db.scratch() as session:
        for number, (legs, closing) in enumerate(transactions):
            entries = [Entry(account, amount) for account, amount in legs]
            rest = -sum(amount for _, amount in legs)
            if rest:
                entries.append(Entry(closing, rest))
            if len(entries) < 2:
                continue
            assert await post(
                session,
                key=f"p:{number}",
                kind=LedgerKind.SALE,
                entries=entries,
                ref_type="test",
                ref_id=uuid.uuid4(),
            )
            for entry in entries:
                expected[entry.account] += entry.amount_cents
        for account in ACCOUNTS:
            assert await balance(session, account) == expected[account]
        assert sum([await balance(session, account) for account in ACCOUNTS]) == 0
        assert await run_checks(session) == []


async def test_the_ledger_check_command(tmp_path):
    """`learningos ledger check` on a database of its own: balances printed and exit 0 when
    the books add up; exit 1 naming the transaction once an imbalance is planted."""
    import sqlite3

    import anyio

    from learningos.kit.db import Database
    from learningos.kit.migrate import upgrade
    from tests.integration.test_cli import run

    url = f"sqlite+aiosqlite:///{tmp_path / 'learningos.db'}"
    await anyio.to_thread.run_sync(upgrade, url)
    creator = uuid.uuid4()
    db = Database(url)
    try:
        async with db.transaction() as session:
            assert await sell(session, creator, key="order:cli")
    finally:
        await db.dispose()
    clean = await anyio.to_thread.run_sync(run, ["ledger", "check"], tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert f"creator {creator}: pending 7.00 USD, available 0.00 USD" in clean.stdout
    with sqlite3.connect(tmp_path / "learningos.db") as conn:
        conn.execute("UPDATE ledger_entries SET amount_cents = 701 WHERE amount_cents = 700")
    broken = await anyio.to_thread.run_sync(run, ["ledger", "check"], tmp_path)
    assert broken.returncode == 1
    assert "order:cli" in broken.stderr and "+1 USD" in broken.stderr
