"""Load benchmark: /health and an authenticated GET /api/v1/me under 50 concurrent clients.

Starts the real server (`learningos serve`) in a temporary data folder, signs a user in,
runs locust headless against it, and prints p50/p95 and requests/s per endpoint.

  python benchmarks/load.py --mode embedded        # SQLite, memory stores, 1 web process
  python benchmarks/load.py --mode postgres        # PostgreSQL + Redis, 2 web processes

Add --json for one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/learningos_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def post_json(url: str, body: dict) -> dict:
    req = urllib.request.Request(  # noqa: S310
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310
        return json.loads(r.read() or b"{}")


def prepare_postgres(env: dict[str, str]) -> None:
    import asyncio

    import asyncpg

    async def recreate() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute("DROP DATABASE IF EXISTS learningos_bench WITH (FORCE)")
        await conn.execute("CREATE DATABASE learningos_bench")
        await conn.close()

    asyncio.run(recreate())
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([str(BIN / "learningos"), "db", "upgrade"], env=env, check=True)


def run_locust(
    host: str,
    token: str,
    users: int,
    seconds: int,
    wait_max: float,
    out: Path,
    locustfile: Path = HERE / "locustfile.py",
) -> list[dict]:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_WAIT_MAX": str(wait_max)}
    cmd = [
        str(BIN / "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(out / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if not (out / "locust_stats.csv").exists():
        raise SystemExit(f"locust failed:\n{done.stderr[-3000:]}")
    failures = out / "locust_failures.csv"
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print("failures:\n" + failures.read_text())
    rows = []
    with open(out / "locust_stats.csv") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                    "rps": round(float(row["Requests/s"]), 1),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=int, default=30, help="duration (default 30)")
    parser.add_argument(
        "--wait-max",
        type=float,
        default=0.0,
        help="max think time per client in seconds (default 0: closed loop)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="web processes (default 1 embedded, 2 postgres)"
    )
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on the last line"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="learningos-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
    env.update({"LEARNINGOS_DATA_DIR": str(workdir / "data"), "LEARNINGOS_LOG_LEVEL": "WARNING"})
    workers = args.workers or (2 if args.mode == "postgres" else 1)
    if args.mode == "postgres":
        env.update(
            {
                "LEARNINGOS_ENV": "production",
                "LEARNINGOS_JWT_SECRET": secrets.token_urlsafe(48),
                "LEARNINGOS_DATABASE_URL": PG_URL,
                "LEARNINGOS_REDIS_URL": REDIS_URL,
                # No Qdrant server runs here; neither measured endpoint touches the vector store.
                "LEARNINGOS_QDRANT_URL": "http://127.0.0.1:6333",
            }
        )
        prepare_postgres(env)
    host = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(BIN / "learningos"), "serve", "--port", str(args.port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "w"),  # noqa: SIM115
    )
    try:
        wait_ready(host)
        password = secrets.token_urlsafe(18)
        post_json(
            host + "/api/v1/auth/register",
            {"name": "Bench", "email": "bench@example.com", "password": password},
        )
        token = post_json(
            host + "/api/v1/auth/login", {"email": "bench@example.com", "password": password}
        )["access_token"]
        rows = run_locust(host, token, args.users, args.seconds, args.wait_max, workdir)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"mode={args.mode} web_processes={workers} users={args.users} seconds={args.seconds} wait_max={args.wait_max}"
    )
    print(
        f"{'endpoint':<22}{'requests':>10}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}"
    )
    for r in rows:
        print(
            f"{r['name']:<22}{r['requests']:>10}{r['failures']:>6}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['rps']:>9}"
        )
    if args.json:
        print(
            json.dumps(
                {
                    "mode": args.mode,
                    "web_processes": workers,
                    "users": args.users,
                    "seconds": args.seconds,
                    "wait_max": args.wait_max,
                    "results": rows,
                }
            )
        )
    if any(r["failures"] for r in rows):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
