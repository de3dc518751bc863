"""Discover benchmark: GET /api/v1/content/discover with 10,000 listed items under 50
concurrent clients, with and without a search, under several orders and filters.

Migrates a fresh database, seeds it in bulk (authors, listed items of every kind, learners and
two weeks of learning sessions for "popular"), starts the real server (`learningos serve`)
and runs locust headless against it as a guest; prints p50/p95/p99 per request kind.

  python benchmarks/discover.py --mode embedded --wait-max 0.1   # SQLite, 1 web process
  python benchmarks/discover.py --mode postgres --wait-max 0.1   # PostgreSQL + Redis, 2

Add --json for one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import BIN, run_locust, wait_ready  # noqa: E402

HERE = Path(__file__).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "learningos_bench_discover"
TOPICS = [
    "memory", "algebra", "calculus", "history", "biology", "chemistry", "physics", "economics",
    "design", "grammar", "music", "painting", "statistics", "probability", "networks",
    "databases", "python", "cells", "energy", "climate", "markets", "poetry", "ethics",
    "logic", "geometry", "evolution", "genetics", "writing",
]  # fmt: skip
# Filler words make the vocabulary a few hundred words wide, so that a topic word matches
# a few percent of the catalogue, as a real search does.
FILLER = [a + b for a in ("ka", "lo", "mi", "ne", "ru", "ta", "vi", "zo") for b in (
    "ber", "dan", "fel", "gom", "hix", "jut", "lam", "nop", "qua", "rin", "sel", "tov",
    "wux", "yem", "zal", "mor", "pek", "dru", "fis", "gal",
)]  # fmt: skip
SEARCHED = ["algebra", "memory", "climate", "python", "genetics"]


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(TOPICS if rng.random() < 0.08 else FILLER) for _ in range(words)]
    return " ".join(picked).capitalize()


async def seed(url: str, items: int, learners: int, sessions: int) -> None:
    """Bulk inserts (multi-row INSERTs) of users, items and sessions: a few seconds."""
    from sqlalchemy import insert
    from sqlalchemy.ext.asyncio import AsyncSession

    from learningos.discover import popularity
    from learningos.kit.db import make_engine
    from learningos.models.content import Category, Content
    from learningos.models.learning import LearningSession
    from learningos.models.user import User

    rng = random.Random(7)
    now = datetime.now(UTC)
    engine = make_engine(url)
    people = [
        {"id": uuid.uuid4(), "email": f"u{i}@bench.test", "name": f"Author {i}",
         "password_hash": "x", "role": "user", "preferences": {}, "is_active": True,
         "tier": "free", "created_at": now, "updated_at": now}
        for i in range(learners)
    ]  # fmt: skip
    categories = list(Category)
    rows = []
    for i in range(items):
        roll = rng.random()
        visibility = "paid" if roll < 0.25 else "public"
        rows.append(
            {
                "id": uuid.uuid4(), "user_id": people[i % 200]["id"],
                "title": _sentence(rng, rng.randint(2, 6)), "type": "pdf", "status": "ready",
                "description": _sentence(rng, rng.randint(15, 60)),
                "category": rng.choice(categories).value, "visibility": visibility,
                "is_platform_content": roll > 0.95,
                "price_cents": rng.choice([99, 499, 1999]) if visibility == "paid" else 0,
                "currency": "USD", "rating_average": round(rng.uniform(1, 5), 2),
                "rating_count": rng.randint(0, 300), "progress": 100,
                "created_at": now - timedelta(minutes=i), "updated_at": now,
                "accept_donations": False, "sales_count": 0,
            }
        )  # fmt: skip
    # Two weeks of sessions; popularity skewed towards a few hundred items.
    hot = [r["id"] for r in rows[:500]]
    learning = []
    for _ in range(sessions):
        when = now - timedelta(hours=rng.uniform(0, 14 * 24))
        item = rng.choice(hot) if rng.random() < 0.7 else rng.choice(rows)["id"]
        learning.append(
            {
                "id": uuid.uuid4(), "user_id": rng.choice(people)["id"], "content_id": item,
                "status": "active", "state": "init", "time_spent_seconds": 0, "version": 1,
                "mode": "learn", "created_at": when, "updated_at": when,
            }
        )  # fmt: skip
    async with engine.begin() as conn:
        for table, data in ((User, people), (Content, rows), (LearningSession, learning)):
            for start in range(0, len(data), 500):
                await conn.execute(insert(table), data[start : start + 500])
    async with AsyncSession(engine) as session, session.begin():
        await popularity.refresh(session)  # what the timer does every few minutes
    await engine.dispose()


def recreate_postgres(redis_url: str) -> None:
    import asyncpg
    import redis

    async def recreate() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {PG_DB}")
        await conn.close()

    asyncio.run(recreate())
    redis.Redis.from_url(redis_url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--items", type=int, default=10_000, help="listed items (10,000)")
    parser.add_argument("--learners", type=int, default=2_000)
    parser.add_argument("--sessions", type=int, default=30_000, help="sessions, last 14 days")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=int, default=30, help="duration (default 30)")
    parser.add_argument("--wait-max", type=float, default=0.0, help="think time, s (0: none)")
    parser.add_argument("--workers", type=int, default=None, help="web processes (1 / 2)")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    parser.add_argument("--seed-into", help=argparse.SUPPRESS)  # internal: the seeding step
    args = parser.parse_args()
    if args.seed_into:
        asyncio.run(seed(args.seed_into, args.items, args.learners, args.sessions))
        return

    workdir = Path(tempfile.mkdtemp(prefix="learningos-discover-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
    env.update(
        {
            "LEARNINGOS_DATA_DIR": str(workdir / "data"),
            "LEARNINGOS_LOG_LEVEL": "WARNING",
            "LEARNINGOS_DEMO_SEED": "false",
        }
    )
    workers = args.workers or (2 if args.mode == "postgres" else 1)
    url = f"sqlite+aiosqlite:///{workdir / 'data' / 'learningos.db'}"
    if args.mode == "postgres":
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}"
        env.update(
            {
                "LEARNINGOS_ENV": "production",
                "LEARNINGOS_JWT_SECRET": secrets.token_urlsafe(48),
                "LEARNINGOS_REDIS_URL": args.redis_url,
                "LEARNINGOS_QDRANT_URL": "http://127.0.0.1:6333",  # not used by discover
            }
        )
        recreate_postgres(args.redis_url)
    env["LEARNINGOS_DATABASE_URL"] = url
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    subprocess.run([str(BIN / "learningos"), "db", "upgrade"], env=env, check=True)
    started = time.perf_counter()
    seed_cmd = [sys.executable, __file__, "--seed-into", url, "--items", str(args.items)]
    seed_cmd += ["--learners", str(args.learners), "--sessions", str(args.sessions)]
    subprocess.run(seed_cmd, env=env, check=True)
    seeded = time.perf_counter() - started
    host = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(BIN / "learningos"), "serve", "--port", str(args.port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "w"),  # noqa: SIM115
    )
    try:
        wait_ready(host)
        os.environ["BENCH_WORDS"] = ",".join(SEARCHED)
        rows = run_locust(
            host, "", args.users, args.seconds, args.wait_max, workdir, HERE / "locust_discover.py"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        print((workdir / "server.log").read_text()[-2000:])
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"mode={args.mode} web_processes={workers} items={args.items} sessions={args.sessions} "
        f"users={args.users} seconds={args.seconds} wait_max={args.wait_max} seeded_in={seeded:.1f}s"
    )
    print(
        f"{'request':<24}{'requests':>10}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}"
    )
    for r in rows:
        print(
            f"{r['name']:<24}{r['requests']:>10}{r['failures']:>6}{r['p50_ms']:>9.0f}"
            f"{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['rps']:>9}"
        )
    if args.json:
        print(json.dumps({"mode": args.mode, "web_processes": workers, "items": args.items,
                          "users": args.users, "seconds": args.seconds,
                          "wait_max": args.wait_max, "results": rows}))  # fmt: skip
    if any(r["failures"] for r in rows):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
