"""Hybrid search and context assembly over real sections in the migrated database, a local
Qdrant folder and the MiniLM model; the context cache in memory (and Redis when configured)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from learningos.kit.cache import Cache, MemoryCache, RedisCache
from learningos.kit.db import Database
from learningos.kit.vectors import VectorStore
from learningos.models.content import Content, ContentSection
from learningos.models.user import User
from learningos.retrieval.context import assemble_context, invalidate_content
from learningos.retrieval.embeddings import LocalEmbedder
from learningos.retrieval.index import IndexedSection, SectionIndex
from learningos.retrieval.search import lexical_cache, search_content

BOOK = [
    (
        "2.5 Outliers",
        "Outliers are extreme values that might be errors in measurement and "
        "recording, or accurate reports of rare events. Look at the smallest and largest values.",
    ),
    (
        "2.8 Variance",
        "Variance describes the spread of a distribution: the mean squared "
        "deviation from the mean. Its square root is the standard deviation.",
    ),
    (
        "7.8 Correlation and causation",
        "If variables A and B are correlated, A may cause B, B "
        "may cause A, or a third factor may cause both. Correlation does not imply causation.",
    ),
    (
        "13.4 Kaplan-Meier estimation",
        "For women who are not married yet we only know a lower "
        "bound on their age at first marriage; Kaplan-Meier estimation infers the survival curve "
        "from these incomplete observations through the hazard function.",
    ),
]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    async with database.transaction() as session:
        await session.execute(delete(User).where(User.email.like("retrieval-%")))
    await database.dispose()


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[SectionIndex]:
    store = VectorStore(None, tmp_path / "qdrant")
    yield SectionIndex(store, LocalEmbedder())
    await store.close()


async def add_content(
    db: Database, index: SectionIndex, sections: list[tuple[str, str]]
) -> uuid.UUID:
    """A user, a content item and its sections, indexed like the processing job does."""
    async with db.transaction() as session:
        user = User(
            email=f"retrieval-{uuid.uuid4().hex[:8]}@example.com", name="R", password_hash="x"
        )
        session.add(user)
        await session.flush()
        content = Content(user_id=user.id, title="Think Stats", type="text", status="ready")
        session.add(content)
        await session.flush()
        rows = [
            ContentSection(
                content_id=content.id,
                title=title,
                order_index=i,
                text=text,
                page_start=10 + i,
                page_end=10 + i,
            )
            for i, (title, text) in enumerate(sections)
        ]
        session.add_all(rows)
        await session.flush()
        content_id = content.id
    await index.upsert(
        [IndexedSection(r.id, content_id, r.title, r.text, r.page_start, r.page_end) for r in rows]
    )
    return content_id


async def test_search_content_finds_the_answer_and_stays_in_scope(
    db: Database, index: SectionIndex
) -> None:
    book = await add_content(db, index, BOOK)
    other = await add_content(
        db, index, [("Causes", "Correlation does not imply causation at all.")]
    )
    async with db.transaction() as session:
        hits = await search_content(
            session, index, book, "does one thing cause the other if they move together?"
        )
        assert hits[0].title == "7.8 Correlation and causation"
        assert (hits[0].page_start, hits[0].page_end) == (12, 12)
        hits = await search_content(
            session, index, book, "how long until people marry when many are still single", k=2
        )
        assert hits[0].title == "13.4 Kaplan-Meier estimation" and len(hits) == 2
        other_hits = await search_content(session, index, other, "correlation causation", k=5)
        assert [h.title for h in other_hits] == ["Causes"]
        assert await search_content(session, index, book, "   ") == []


async def test_lexical_index_is_rebuilt_when_sections_change(
    db: Database, index: SectionIndex
) -> None:
    book = await add_content(db, index, BOOK[:2])
    async with db.transaction() as session:
        await search_content(session, index, book, "variance")
        assert len(lexical_cache._items[book][1].docs) == 2
        row = ContentSection(
            content_id=book, title="Glossary", order_index=9, text="zymurgy is brewing"
        )
        session.add(row)
        await session.flush()
    await index.upsert([IndexedSection(row.id, book, row.title, row.text, None, None)])
    async with db.transaction() as session:
        hits = await search_content(session, index, book, "zymurgy", k=1)
    assert hits[0].title == "Glossary"
    assert len(lexical_cache._items[book][1].docs) == 3


async def test_chunked_sections_are_searched_through_their_chunks(
    db: Database, index: SectionIndex
) -> None:
    book = await add_content(db, index, BOOK[:1])
    async with db.transaction() as session:
        parent = ContentSection(
            content_id=book, title="Long", order_index=5, text="whole text of zebras"
        )
        session.add(parent)
        await session.flush()
        session.add(
            ContentSection(
                content_id=book,
                parent_id=parent.id,
                kind="chunk",
                title="Long (part 1)",
                order_index=6,
                text="zebras graze",
            )
        )
    async with db.transaction() as session:
        hits = await search_content(session, index, book, "zebras", k=5)
    assert "Long" not in [h.title for h in hits]  # the parent's text is covered by its chunk


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest, redis_url: str | None) -> AsyncIterator[Cache]:
    if request.param == "memory":
        yield MemoryCache()
        return
    if not redis_url:
        pytest.skip("LEARNINGOS_TEST_REDIS_URL is not set")
    prefix = f"test-retrieval-{uuid.uuid4().hex[:6]}:"
    store = RedisCache(redis_url, prefix=prefix)
    yield store
    keys = [k async for k in store._redis.scan_iter(f"{prefix}*")]
    if keys:
        await store._redis.delete(*keys)
    await store.close()


async def test_context_is_assembled_within_budget_and_cached(
    db: Database, index: SectionIndex, cache: Cache
) -> None:
    book = await add_content(db, index, BOOK)
    calls = []
    real = index.dense_scores

    async def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    index.dense_scores = counting  # type: ignore[method-assign]
    args = dict(
        content_id=book,
        concept_text="Correlation versus causation",
        notes=["A causes B?"],
        mistakes=["Said correlation proves causation"],
        k=3,
        budget_tokens=300,
    )
    async with db.transaction() as session:
        first = await assemble_context(session, index, cache, **args)  # type: ignore[arg-type]
        again = await assemble_context(session, index, cache, **args)  # type: ignore[arg-type]
    assert first.tokens <= 300 and first.sources
    assert first.sources[0].title == "7.8 Correlation and causation"
    assert "[1] 7.8 Correlation and causation (p. 12)" in first.text
    assert "Said correlation proves causation" in first.text
    assert again == first and len(calls) == 1  # the second came from the cache

    await invalidate_content(cache, book)
    async with db.transaction() as session:
        third = await assemble_context(session, index, cache, **args)  # type: ignore[arg-type]
    assert third == first and len(calls) == 2


async def test_warm_prepares_the_first_search(db: Database, index: SectionIndex) -> None:
    from learningos.retrieval.search import warm

    book = await add_content(db, index, BOOK)
    async with db.transaction() as session:
        await warm(session, index, book)
    assert book in lexical_cache._items and book in index._cache._items
