"""Giving a unit of work's connection back while it waits on something slow.

One transaction per request or job is the rule; the exception is a step that waits on
something slow outside the database (an AI reply, a long extraction or embedding). Holding a
transaction open across that wait keeps a pooled connection busy for its whole length, and a
few such waits exhaust the pool for everyone. Such a step reads what it needs, calls
`release_connection`, waits, and then applies its result in the transaction that the
session's next statement begins (the unit of work ends that one as usual). What it applies
must re-check that what it read did not change meanwhile (a version, a status).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import Database


async def release_connection(db: Database, session: AsyncSession) -> None:
    """Commit what the unit of work did so far (then the after-commit hooks, e.g. sending the
    jobs it queued) and return its connection to the pool. The session stays usable: its
    objects keep their loaded state (sessions do not expire them on commit) and its next
    statement begins a new transaction."""
    await session.commit()
    for hook in db.after_commit:
        await hook(session)
