"""Retrieval latency: scoped top-5 search on a 2,000-section item, and cached context.

Builds, in a temporary folder, a migrated SQLite database and a local Qdrant folder holding
two content items: ThinkStats2 as segmented by the product, and a synthetic item of
`--sections` sections cut from the book's text with the book's section-length distribution.
Everything goes through the product's code: `SectionIndex.upsert`, `search_content` (the
function the search endpoint calls) and `assemble_context`.

  .venv/bin/python benchmarks/retrieval_latency.py                  # 2,000 sections
  .venv/bin/python benchmarks/retrieval_latency.py --redis redis://127.0.0.1:6379/13
  .venv/bin/python benchmarks/retrieval_latency.py --data /tmp/bench   # build once, re-time

Add --json for one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT.parent / "shared" / "eval" / "books" / "thinkstats2.pdf"
QUESTIONS = [
    ROOT / "benchmarks" / "retrieval_dev_questions.jsonl",
    ROOT / "benchmarks" / "questions" / "thinkstats2.jsonl",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def book_sections(path: Path) -> list[Any]:
    from learningos.retrieval.evaluate import searchable

    try:
        from learningos.content.pdf import extract_pdf
        from learningos.content.segment import segment

        return searchable(segment(extract_pdf(path, max_pages=100_000)))
    except ImportError:  # before the product's segmenter existed
        from learningos.retrieval.evaluate import pdf_heading_sections

        return searchable(pdf_heading_sections(path))


def synthetic_sections(book: list[Any], n: int, seed: int = 7) -> list[tuple[str, str, int, int]]:
    """n sections of book text, each as long as a randomly chosen real section."""
    rng = random.Random(seed)
    words = " ".join(s.text for s in book).split()
    out = []
    for i in range(n):
        length = len(rng.choice(book).text.split())
        start = rng.randrange(0, max(1, len(words) - length))
        page = 1 + i // 4
        out.append((f"Part {i + 1}", " ".join(words[start : start + length]), page, page + 1))
    return out


async def add_item(
    db: Any, user_id: uuid.UUID, title: str, rows: list[tuple[str, str, Any, Any]]
) -> tuple[uuid.UUID, list[Any]]:
    from learningos.models.content import Content, ContentSection

    async with db.transaction() as session:
        content = Content(user_id=user_id, title=title, type="pdf", status="ready")
        session.add(content)
        await session.flush()
        sections = [
            ContentSection(
                content_id=content.id, title=t, order_index=i, text=x, page_start=a, page_end=b
            )
            for i, (t, x, a, b) in enumerate(rows)
        ]
        session.add_all(sections)
        await session.flush()
        return content.id, sections


async def index_item(index: Any, content_id: uuid.UUID, sections: list[Any]) -> float:
    from learningos.retrieval.index import IndexedSection

    started = time.perf_counter()
    await index.upsert(
        [
            IndexedSection(s.id, content_id, s.title, s.text, s.page_start, s.page_end)
            for s in sections
        ]
    )
    return time.perf_counter() - started


async def time_searches(
    db: Any, index: Any, content_id: uuid.UUID, queries: list[str], rounds: int
) -> dict[str, Any]:
    from learningos.retrieval.search import query_vectors, search_content

    cold_started = time.perf_counter()
    async with db.transaction() as session:
        await search_content(session, index, content_id, "cold start: load vectors and build BM25")
    cold = (time.perf_counter() - cold_started) * 1000
    latencies = []
    for _ in range(rounds):
        query_vectors.clear()  # every search embeds its query
        for query in queries:
            started = time.perf_counter()
            async with db.transaction() as session:
                hits = await search_content(session, index, content_id, query, k=5)
            latencies.append((time.perf_counter() - started) * 1000)
            assert len(hits) == 5
    return {
        "cold_first_ms": round(cold, 1),
        "n": len(latencies),
        "p50_ms": pct(latencies, 0.5),
        "p95_ms": pct(latencies, 0.95),
        "max_ms": round(max(latencies), 2),
    }


async def time_parts(
    db: Any, index: Any, content_id: uuid.UUID, queries: list[str]
) -> dict[str, float]:
    """Where a search's time goes: query embedding, the DB version check, dense, BM25."""
    from learningos.retrieval.repository import RetrievalSectionRepository
    from learningos.retrieval.search import load_lexical

    embed, version, dense, bm25 = [], [], [], []
    async with db.transaction() as session:
        lexical = await load_lexical(session, content_id)
        for query in queries:
            t0 = time.perf_counter()
            [vector] = await asyncio.to_thread(index.embedder.embed, [query])
            t1 = time.perf_counter()
            await RetrievalSectionRepository(session).version(content_id)
            t2 = time.perf_counter()
            await index.dense_scores(content_id, vector)
            t3 = time.perf_counter()
            lexical.scores(query)
            t4 = time.perf_counter()
            for bucket, a, b in (
                (embed, t0, t1),
                (version, t1, t2),
                (dense, t2, t3),
                (bm25, t3, t4),
            ):
                bucket.append((b - a) * 1000)
    return {
        f"{name}_{q}_ms": pct(values, p)
        for name, values in (
            ("embed", embed),
            ("db_version", version),
            ("dense", dense),
            ("bm25", bm25),
        )
        for q, p in (("p50", 0.5), ("p95", 0.95))
    }


async def time_context(
    db: Any, index: Any, cache: Any, content_id: uuid.UUID, concepts: list[str], repeats: int
) -> dict[str, Any]:
    from learningos.retrieval.context import assemble_context

    args = {
        "notes": ["I mix up variance and standard deviation."],
        "mistakes": ["Said correlation proves causation."],
    }
    first, cached = [], []
    async with db.transaction() as session:
        for concept in concepts:
            started = time.perf_counter()
            context = await assemble_context(
                session, index, cache, content_id=content_id, concept_text=concept, **args
            )
            first.append((time.perf_counter() - started) * 1000)
            assert context.tokens <= 4000
        for i in range(repeats):
            concept = concepts[i % len(concepts)]
            started = time.perf_counter()
            await assemble_context(
                session, index, cache, content_id=content_id, concept_text=concept, **args
            )
            cached.append((time.perf_counter() - started) * 1000)
    return {
        "uncached_p50_ms": pct(first, 0.5),
        "uncached_p95_ms": pct(first, 0.95),
        "cached_n": len(cached),
        "cached_p50_ms": pct(cached, 0.5),
        "cached_p95_ms": pct(cached, 0.95),
    }


def load_queries() -> list[str]:
    queries = []
    for path in QUESTIONS:
        if path.exists():
            queries += [
                json.loads(line)["question"]
                for line in path.read_text().splitlines()
                if line.strip()
            ]
    return list(dict.fromkeys(queries))


async def build(db: Any, index: Any, sections: int) -> dict[str, Any]:
    """The two items, indexed; returns their ids and the indexing figures."""
    from learningos.models.user import User
    from learningos.retrieval.index import passages

    async with db.transaction() as session:
        user = User(email="bench@example.com", name="Bench", password_hash="x")
        session.add(user)
        await session.flush()
        user_id = user.id
    book = await asyncio.to_thread(book_sections, BOOK)
    book_id, book_rows = await add_item(
        db, user_id, "ThinkStats2", [(s.title, s.text, s.page_start, s.page_end) for s in book]
    )
    await asyncio.to_thread(index.embedder.embed, ["load the model"])
    book_s = await index_item(index, book_id, book_rows)
    big_id, big_rows = await add_item(db, user_id, "Synthetic", synthetic_sections(book, sections))
    big_s = await index_item(index, big_id, big_rows)
    n_passages = sum(len(passages(s.title, s.text)) for s in big_rows)
    return {
        "content_id": str(big_id),
        "sections": sections,
        "passages": n_passages,
        "embed_sections_per_s": round(len(big_rows) / big_s, 1),
        "embed_passages_per_s": round(n_passages / big_s, 1),
        "book_sections": len(book_rows),
        "book_index_s": round(book_s, 1),
    }


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from learningos.kit.cache import MemoryCache, RedisCache
    from learningos.kit.db import Database
    from learningos.kit.migrate import upgrade
    from learningos.kit.vectors import VectorStore
    from learningos.retrieval.embeddings import LocalEmbedder
    from learningos.retrieval.index import SectionIndex

    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    marker = folder / "built.json"
    if not marker.exists():
        await asyncio.to_thread(upgrade, url)
    db = Database(url)
    vectors = VectorStore(None, folder / "qdrant")
    index = SectionIndex(vectors, LocalEmbedder(threads=args.threads))
    if not marker.exists():
        marker.write_text(json.dumps(await build(db, index, args.sections)))
    result: dict[str, Any] = json.loads(marker.read_text())
    big_id = uuid.UUID(result.pop("content_id"))
    await asyncio.to_thread(index.embedder.embed, ["load the model"])
    queries = load_queries()
    result["points_in_collection"] = (await vectors.client.count("content_sections")).count
    result["load_average_before"] = round(os.getloadavg()[0], 2)
    result["search"] = await time_searches(db, index, big_id, queries, args.rounds)
    result["parts"] = await time_parts(db, index, big_id, queries)
    result["context_memory"] = await time_context(
        db, index, MemoryCache(), big_id, queries[:20], args.repeats
    )
    if args.redis:
        redis = RedisCache(args.redis, prefix=f"bench-{uuid.uuid4().hex[:6]}:")
        result["context_redis"] = await time_context(
            db, index, redis, big_id, queries[:20], args.repeats
        )
        keys = [k async for k in redis._redis.scan_iter(f"{redis._prefix}*")]
        if keys:
            await redis._redis.delete(*keys)
        await redis.close()
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    await vectors.close()
    await db.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sections", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    parser.add_argument("--repeats", type=int, default=2000, help="cached context calls")
    parser.add_argument("--redis", help="also time the context cache on this Redis URL")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for embedding")
    parser.add_argument(
        "--data", type=Path, help="keep the built index in this folder and reuse it"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.data:
        args.data.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(run(args, args.data))
    else:
        with tempfile.TemporaryDirectory(prefix="learningos-bench-") as folder:
            result = asyncio.run(run(args, Path(folder)))
    for key, value in result.items():
        if isinstance(value, dict):
            print(key)
            for sub, v in value.items():
                print(f"  {sub:<22} {v}")
        else:
            print(f"{key:<24} {value}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
