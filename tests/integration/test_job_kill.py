"""Processes killed with SIGKILL lose no job and duplicate nothing (production mode).

Real `learningos serve` and `learningos worker` subprocesses against the pass's PostgreSQL
and Redis, with the fake Qdrant server as the vector store every process shares, and small
timings (3 s reclaim, 0.5 s dispatcher, 2 s dispatch delay). Each upload must end `ready`
or with a reason, never stay pending, and have exactly the sections and vectors a clean
run gives: the segmenter's sections for its file, one vector per passage of them, none
left from a killed attempt.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from learningos.content.segment import segment
from learningos.content.text import extract_text
from learningos.models.content import Content, ContentSection
from learningos.models.jobs import Job
from learningos.retrieval.index import passages
from learningos.services import Services
from tests.conftest import PASSWORD
from tests.fakes.fixtures import fake_qdrant  # noqa: F401
from tests.fakes.qdrant_server import FakeQdrant

pytestmark = pytest.mark.skipif(
    not (
        os.environ.get("LEARNINGOS_TEST_DATABASE_URL")
        and os.environ.get("LEARNINGOS_TEST_REDIS_URL")
    ),
    reason="needs LEARNINGOS_TEST_DATABASE_URL and LEARNINGOS_TEST_REDIS_URL",
)
STREAM = "learningos:jobs"
# On an idle machine each test takes well under a minute; the bounds leave room for a
# loaded CI machine (every process loads the embedding model first).
SETTLE_SECONDS = 150
WORDS = [
    "cell",
    "energy",
    "light",
    "water",
    "carbon",
    "enzyme",
    "membrane",
    "protein",
    "signal",
    "gradient",
    "sugar",
    "oxygen",
    "channel",
    "pump",
    "charge",
    "field",
    "wave",
    "mass",
    "force",
    "orbit",
    "lattice",
    "crystal",
    "vector",
    "matrix",
    "prime",
]


def document(number: int, sections: int) -> bytes:
    """A distinct Markdown file with this many headed sections."""
    rng = random.Random(number)
    parts = [f"# Course {number}\n"]
    for s in range(sections):
        sentences = [" ".join(rng.choices(WORDS, k=14)).capitalize() + "." for _ in range(6)]
        parts.append(f"## Topic {number}.{s}\n\n" + " ".join(sentences) + "\n")
    return "\n".join(parts).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """The environment of the processes under test and the processes themselves."""

    def __init__(self, services: Services, qdrant: FakeQdrant, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = services.settings
        self.env = {
            **os.environ,
            "LEARNINGOS_ENV": "test",
            "LEARNINGOS_DATA_DIR": str(folder / "data"),
            "LEARNINGOS_DATABASE_URL": settings.resolved_database_url,
            "LEARNINGOS_REDIS_URL": settings.redis_url or "",
            "LEARNINGOS_QDRANT_URL": qdrant.url,
            "LEARNINGOS_JWT_SECRET": secrets.token_urlsafe(48),
            "LEARNINGOS_DEMO_SEED": "false",
            "LEARNINGOS_EMBEDDING_PROVIDER": "local",
            "LEARNINGOS_JOB_RECLAIM_SECONDS": "3",
            "LEARNINGOS_JOB_DISPATCH_INTERVAL_SECONDS": "0.5",
            "LEARNINGOS_JOB_DISPATCH_DELAY_SECONDS": "2",
            "LEARNINGOS_JOB_BACKOFF_SECONDS": "0.2",
            "LEARNINGOS_JOB_BACKOFF_MAX_SECONDS": "1",
            "LEARNINGOS_LOG_LEVEL": "INFO",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "learningos.cli", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    async def serve(self) -> subprocess.Popen[bytes]:
        process = self.start("serve", "serve", "--port", str(self.port))
        async with httpx.AsyncClient(base_url=self.url) as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert process.poll() is None, self.log("serve")
                try:
                    if (await client.get("/health")).status_code == 200:
                        return process
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError("the server did not start:\n" + self.log("serve"))

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(name, "worker", "--concurrency", "2")

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


@pytest.fixture
def stack(services: Services, fake_qdrant: FakeQdrant, tmp_path: Path) -> Iterator[Stack]:  # noqa: F811
    if not services.settings.redis_url:
        pytest.skip("production mode only")
    processes = Stack(services, fake_qdrant, tmp_path)
    yield processes
    processes.stop_all()


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@asynccontextmanager
async def learner(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        body = {"name": "Kim", "email": f"kim-{uuid.uuid4().hex[:8]}@example.com"}
        body["password"] = PASSWORD
        assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
        login = await client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": PASSWORD}
        )
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield client


async def upload(client: httpx.AsyncClient, name: str, data: bytes) -> httpx.Response | None:
    try:
        return await client.post("/api/v1/content/upload", files={"file": (name, data)})
    except httpx.TransportError:  # the server was killed while answering
        return None


async def contents(services: Services) -> list[Content]:
    async with services.db.transaction() as session:
        return list((await session.scalars(select(Content))).all())


async def all_settled(services: Services, timeout: float, stack: Stack) -> list[Content]:
    """Wait until no item is pending or processing; fail naming the ones that stay."""
    deadline = time.monotonic() + timeout
    while True:
        items = await contents(services)
        waiting = [c for c in items if c.status not in ("ready", "error")]
        if not waiting:
            return items
        if time.monotonic() > deadline:
            logs = "\n".join(
                f"--- {p.name}\n{stack.log(p.stem)}" for p in stack.folder.glob("*.log")
            )
            states = [(c.file_name, c.status, c.stage) for c in waiting]
            raise AssertionError(f"{len(waiting)} of {len(items)} never finished: {states}\n{logs}")
        await asyncio.sleep(0.3)


async def assert_as_a_clean_run(
    services: Services, qdrant: FakeQdrant, files: dict[str, bytes]
) -> None:
    """Every item is ready with the sections of a clean run of its file and one vector per
    passage of them, and the store holds no vector of a section that is not in the database."""
    items = await contents(services)
    by_name = {c.file_name: c for c in items}
    assert len(by_name) == len(items), "one item per file"
    points = qdrant.points("content_sections").values()
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(ContentSection))).all()
    known = {str(r.id) for r in rows}
    assert all(p["payload"]["section_id"] in known for p in points), "no vector is left over"
    for item in items:
        assert item.status == "ready", (item.file_name, item.status, item.status_message)
        expected = segment(extract_text(files[item.file_name or ""], markdown=True))
        mine = sorted((r for r in rows if r.content_id == item.id), key=lambda r: r.order_index)
        assert [r.title for r in mine] == [s.title for s in expected]
        vectors = sum(1 for p in points if p["payload"]["content_id"] == str(item.id))
        indexed = [r for r in mine if r.embedding_ref is not None]
        assert vectors == sum(len(passages(r.title, r.text)) for r in indexed)


async def test_uploads_survive_a_killed_web_process(
    services: Services,
    stack: Stack,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    """The web process dies during 20 concurrent uploads, and the messages of the jobs it
    had committed are gone too (as when it dies between the commit and the send: the
    stream is emptied to make that certain). The dispatcher in the worker re-sends them
    all; "Try again" on one of them works instead of answering 409."""
    files = {f"course-{n}.md": document(n, 4) for n in range(20)}
    web = await stack.serve()
    async with learner(stack) as client:
        uploads = [asyncio.create_task(upload(client, n, d)) for n, d in files.items()]
        while sum(t.done() for t in uploads) < 8:
            await asyncio.sleep(0.02)
        kill(web)
        answers = await asyncio.gather(*uploads)
    assert sum(a is not None and a.status_code == 201 for a in answers) >= 8
    async with Redis.from_url(services.settings.redis_url or "") as redis:
        await redis.xtrim(STREAM, maxlen=0, approximate=False)
    committed = await contents(services)
    assert committed and all(c.status == "pending" for c in committed)

    await stack.serve()
    await asyncio.sleep(2.5)  # past the dispatch delay: nobody took these jobs
    async with learner(stack) as other:
        assert (await other.get("/api/v1/content")).json() == []
    owner_client = httpx.AsyncClient(base_url=stack.url, headers=client.headers, timeout=30)
    async with owner_client:
        retried = await owner_client.post(f"/api/v1/content/{committed[0].id}/retry")
    assert retried.status_code == 202, retried.text
    stack.worker("worker")
    await all_settled(services, SETTLE_SECONDS, stack)
    await assert_as_a_clean_run(
        services, fake_qdrant, {c.file_name or "": files[c.file_name or ""] for c in committed}
    )
    async with services.db.transaction() as session:
        jobs = (await session.scalars(select(Job).where(Job.name == "content.process"))).all()
    done = [j for j in jobs if j.status == "done"]
    assert len(done) == len(committed), "one finished processing job per item"
    replaced = [j for j in jobs if j.status == "failed"]
    assert [j.error for j in replaced] == ["Replaced by a new attempt."]


async def test_jobs_survive_a_killed_worker(
    services: Services,
    stack: Stack,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    """A worker is killed in the middle of processing; a worker started after it takes the
    killed jobs over once their heartbeat has stopped for the reclaim timeout (3 s), with
    no new upload arriving meanwhile, and finishes everything exactly once."""
    files = {f"book-{n}.md": document(100 + n, 40) for n in range(4)}
    await stack.serve()
    first = stack.worker("worker-1")
    async with learner(stack) as client:
        for name, data in files.items():
            response = await upload(client, name, data)
            assert response is not None and response.status_code == 201
    deadline = time.monotonic() + SETTLE_SECONDS
    while not any(c.stage == "embeddings" for c in await contents(services)):
        assert time.monotonic() < deadline, stack.log("worker-1")
        await asyncio.sleep(0.05)
    kill(first)
    stack.worker("worker-2")
    await all_settled(services, SETTLE_SECONDS, stack)
    await assert_as_a_clean_run(services, fake_qdrant, files)
    async with services.db.transaction() as session:
        jobs = (await session.scalars(select(Job).where(Job.name == "content.process"))).all()
    assert len(jobs) == len(files) and all(j.status == "done" for j in jobs)
    assert any(j.attempts >= 2 for j in jobs), "a killed attempt was counted"
    taken_over = (stack.folder / "worker-2.log").read_text(errors="replace")
    assert "queue.reclaimed" in taken_over or "jobs.dispatched_stale" in taken_over
