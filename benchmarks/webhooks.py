"""Webhook endpoint latency: signed Lemon Squeezy and Paddle deliveries under 50 concurrent
clients (closed loop), each a new event, so every request verifies the signature, stores
the event and queues its processing job (the whole receiving path; processing runs in the
background and is not timed). Target: p95 <= 50 ms.

Starts the real server (`learningos serve`) in a temporary data folder, as load.py does:

  python benchmarks/webhooks.py --mode embedded     # SQLite, in-process queue, 1 web process
  python benchmarks/webhooks.py --mode postgres     # PostgreSQL + Redis, 2 web processes + a worker

The per-IP webhook rate limit is raised for the run (all clients share one address); the
limiter itself stays in the path. Add --json for one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from load import BIN, PG_URL, REDIS_URL, prepare_postgres, wait_ready  # noqa: E402

from learningos.webhooks.signing import (  # noqa: E402
    lemon_squeezy_signature,
    paddle_signature_header,
)

LS_SECRET = secrets.token_urlsafe(24)
PADDLE_SECRET = "pdl_ntfset_" + secrets.token_hex(16)


def delivery(n: int) -> tuple[str, bytes, dict[str, str]]:
    """The n-th delivery: even ones Lemon Squeezy, odd ones Paddle, each a new event."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    if n % 2 == 0:
        body = json.dumps(
            {
                "meta": {
                    "event_name": "order_created",
                    "custom_data": {"purchase_id": str(uuid.uuid4())},
                },
                "data": {
                    "type": "orders",
                    "id": str(n),
                    "attributes": {
                        "status": "paid",
                        "total": 999,
                        "currency": "USD",
                        "updated_at": now,
                    },
                },
            }
        ).encode()
        headers = {
            "X-Event-Name": "order_created",
            "X-Signature": lemon_squeezy_signature(body, LS_SECRET),
        }
        return (
            "/api/v1/webhook/lemon-squeezy",
            body,
            {"Content-Type": "application/json", **headers},
        )
    body = json.dumps(
        {
            "event_id": f"evt_{uuid.uuid4().hex}",
            "event_type": "transaction.completed",
            "occurred_at": now,
            "data": {"id": f"txn_{uuid.uuid4().hex}", "status": "completed", "custom_data": {}},
        }
    ).encode()
    header = paddle_signature_header(body, PADDLE_SECRET)
    return (
        "/api/v1/webhook/paddle",
        body,
        {"Content-Type": "application/json", "Paddle-Signature": header},
    )


async def load(host: str, users: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(10**9))
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=host, limits=limits, timeout=30) as client:

        async def one_client() -> None:
            while time.monotonic() < stop:
                path, body, headers = delivery(next(counter))
                started = time.perf_counter()
                response = await client.post(path, content=body, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        # Warm up (connections, the first requests' imports), not measured.
        for n in range(20):
            path, body, headers = delivery(10**9 + n)
            await client.post(path, content=body, headers=headers)
        started = time.monotonic()
        await asyncio.gather(*[one_client() for _ in range(users)])
        elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    return {
        "requests": len(ordered),
        "statuses": statuses,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "rps": round(len(ordered) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["embedded", "postgres"], default="embedded")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=int, default=30, help="duration (default 30)")
    parser.add_argument(
        "--workers", type=int, default=None, help="web processes (default 1 embedded, 2 postgres)"
    )
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on the last line"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="learningos-bench-webhooks-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
    env.update(
        {
            "LEARNINGOS_DATA_DIR": str(workdir / "data"),
            "LEARNINGOS_LOG_LEVEL": "WARNING",
            "LEARNINGOS_DEMO_SEED": "false",
            "LEARNINGOS_LEMONSQUEEZY_WEBHOOK_SECRET": LS_SECRET,
            "LEARNINGOS_PADDLE_WEBHOOK_SECRET": PADDLE_SECRET,
            "LEARNINGOS_WEBHOOK_LIMIT_PER_IP": "10000000/minute",
        }
    )
    workers = args.workers or (2 if args.mode == "postgres" else 1)
    processes: list[subprocess.Popen[bytes]] = []
    if args.mode == "postgres":
        env.update(
            {
                "LEARNINGOS_ENV": "production",
                "LEARNINGOS_JWT_SECRET": secrets.token_urlsafe(48),
                "LEARNINGOS_DATABASE_URL": PG_URL,
                "LEARNINGOS_REDIS_URL": REDIS_URL,
                "LEARNINGOS_QDRANT_URL": "http://127.0.0.1:6333",
            }
        )
        prepare_postgres(env)
        processes.append(
            subprocess.Popen(
                [str(BIN / "learningos"), "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(workdir / "worker.log", "w"),  # noqa: SIM115
            )
        )
    host = f"http://127.0.0.1:{args.port}"
    processes.append(
        subprocess.Popen(
            [str(BIN / "learningos"), "serve", "--port", str(args.port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "server.log", "w"),  # noqa: SIM115
        )
    )
    try:
        wait_ready(host)
        result = asyncio.run(load(host, args.users, args.seconds))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"mode={args.mode} web_processes={workers} users={args.users} seconds={args.seconds}")
    print(
        f"webhooks: {result['requests']} requests {result['statuses']}  p50 {result['p50_ms']} ms"
        f"  p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms  {result['rps']} req/s"
    )
    if args.json:
        print(
            json.dumps({"mode": args.mode, "web_processes": workers, "users": args.users, **result})
        )


if __name__ == "__main__":
    main()
