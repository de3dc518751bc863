"""The demo: `learningos seed --demo`, seeding on a first `serve`, the login page's note."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import func, select

from learningos.auth.repository import UserRepository
from learningos.demo import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD
from learningos.demo.creator import CREATOR_EMAIL, FREE_TITLE, PAID_TITLE
from learningos.demo.seed import COURSE_TITLE, demo_seed_needed, seed_demo, seed_on_first_start
from learningos.kit.db import Base
from learningos.models.content import Content
from learningos.models.learning import LearningSession
from tests.conftest import register

COURSE = Path(__file__).resolve().parents[2] / "src" / "learningos" / "demo" / "course.md"
HEADINGS = set(re.findall(r"^#{1,2} (.+)$", COURSE.read_text(encoding="utf-8"), re.M))


async def row_counts(services) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def test_the_course_is_a_short_course_with_parts_and_sections():
    text = COURSE.read_text(encoding="utf-8")
    words = len(text.split())
    parts = re.findall(r"^# (.+)$", text, re.M)
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert 1500 <= words <= 2500
    assert 2 <= len(parts) <= 3 and 6 <= len(sections) <= 10


async def test_seeding_creates_the_learner_and_a_processed_course_once(services):
    lines: list[str] = []
    result = await seed_demo(services, lines.append)
    assert result.created_user and result.processed and result.started_session
    async with services.db.transaction() as session:
        user = await UserRepository(session).get_by_email(DEMO_EMAIL)
        assert user is not None and user.name == DEMO_NAME and user.role == "user"
        content = await session.get(Content, result.content_id)
        assert content is not None and content.user_id == user.id
        assert content.title == COURSE_TITLE and content.type == "markdown"
        assert content.status == "ready" and content.status_message is None
        sessions = (
            await session.scalars(select(LearningSession).where(LearningSession.user_id == user.id))
        ).all()
    assert len(result.concepts) >= 5
    assert set(result.concepts) <= HEADINGS, "every concept is named after a course section"
    assert [s.concept_id is not None for s in sessions] == [True]
    assert any("building the learning map" in line for line in lines)

    before = await row_counts(services)
    again: list[str] = []
    second = await seed_demo(services, again.append)
    assert not second.changed and second.content_id == result.content_id
    assert second.concepts == result.concepts
    assert await row_counts(services) == before, "a second run changes nothing"
    assert any("already processed" in line for line in again)


async def test_serve_seeds_only_an_empty_database_with_the_setting_on(services, client):
    auto = services.settings.model_copy(update={"demo_seed": None})
    assert auto.seeds_demo is auto.is_embedded, "by default on with SQLite, off with PostgreSQL"
    settings = services.settings.model_copy(update={"demo_seed": True})
    assert await demo_seed_needed(settings, services.db)
    assert not await demo_seed_needed(settings.model_copy(update={"demo_seed": False}), services.db)
    assert (await register(client)).status_code == 201
    assert not await demo_seed_needed(settings, services.db)
    # With an account in the database the start-up hook does nothing at all.
    assert await seed_on_first_start(settings, print) is None
    async with services.db.transaction() as session:
        assert await UserRepository(session).get_by_email(DEMO_EMAIL) is None


def demo_note(response) -> HTMLParser | None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return HTMLParser(response.text).css_first("[data-demo]")


async def test_login_page_offers_the_demo_only_when_it_exists(client, services):
    assert demo_note(await client.get("/login")) is None
    await seed_demo(services)
    page = await client.get("/login?next=/dashboard")
    note = demo_note(page)
    assert note is not None
    assert f"Try the demo: sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}" in note.text(
        separator=""
    ).replace("\n", " ")
    form = note.css_first("form")
    assert form is not None and form.attributes["method"] == "post"
    data = {
        node.attributes["name"]: node.attributes.get("value") or ""
        for node in form.css("input[type=hidden]")
    }
    assert data["email"] == DEMO_EMAIL and data["password"] == DEMO_PASSWORD
    assert data["csrf_token"] and data["next"] == "/dashboard"
    assert not HTMLParser(page.text).css("script:not([src])"), "no inline scripts (CSP)"
    signed_in = await client.post(form.attributes["action"] or "", data=data)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/dashboard"
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200 and COURSE_TITLE in dashboard.text
    # A wrong password for the demo learner re-renders the page, note included.
    await client.post("/logout", data={"csrf_token": data["csrf_token"]})
    wrong = await client.post("/login", data={**data, "password": "not-the-demo-one"})
    assert wrong.status_code == 401 and HTMLParser(wrong.text).css_first("[data-demo]")


# --- the command line -----------------------------------------------------------------------

HOOK = (
    "from learningos.cli import _seed_demo_on_first_start, _settings\n"
    "from learningos.kit.migrate import upgrade\n"
    "settings = _settings()\n"
    "upgrade(settings.resolved_database_url)\n"
    "_seed_demo_on_first_start(settings)\n"
)


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
    clean.update({"LEARNINGOS_DATA_DIR": str(data_dir), "LEARNINGOS_LOG_LEVEL": "WARNING", **env})
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=clean, timeout=300
    )


def rows(data_dir: Path, query: str) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(data_dir / "learningos.db") as db:
        return db.execute(query).fetchall()


def test_seed_command_help_and_usage(tmp_path):
    helped = run(["-m", "learningos.cli", "seed", "--help"], tmp_path)
    assert helped.returncode == 0 and "--demo" in helped.stdout
    bare = run(["-m", "learningos.cli", "seed"], tmp_path)
    assert bare.returncode == 2 and "Usage" in bare.stderr and "--demo" in bare.stderr


def test_seed_command_then_first_start_leaves_the_database_alone(tmp_path):
    off = run(["-c", HOOK], tmp_path / "off", LEARNINGOS_DEMO_SEED="false")
    assert off.returncode == 0, off.stderr
    assert rows(tmp_path / "off", "select count(*) from users") == [(0,)]

    seeded = run(["-m", "learningos.cli", "seed", "--demo"], tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "Created the demo learner" in seeded.stdout
    assert "building the learning map" in seeded.stdout
    assert seeded.stdout.rstrip().endswith(f"Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
    assert rows(tmp_path, "select email, name from users order by email") == [
        (CREATOR_EMAIL, "Demo Creator"), (DEMO_EMAIL, DEMO_NAME)
    ]  # fmt: skip
    listed = "select title, status, visibility, price_cents from contents order by title"
    assert rows(tmp_path, listed) == [
        (COURSE_TITLE, "ready", "private", 0),
        (PAID_TITLE, "ready", "paid", 499),
        (FREE_TITLE, "ready", "public", 0),
    ]  # fmt: skip
    concepts = rows(
        tmp_path,
        "select c.title from concepts c join learning_maps m on m.id = c.learning_map_id "
        f"join contents t on t.id = m.content_id where t.title = '{COURSE_TITLE}'",
    )
    assert len(concepts) >= 5 and {c for (c,) in concepts} <= HEADINGS

    start = run(["-c", HOOK], tmp_path)  # an account exists: `serve` seeds nothing
    assert start.returncode == 0, start.stderr
    assert "seeding" not in start.stdout

    again = run(["-m", "learningos.cli", "seed", "--demo"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert rows(tmp_path, "select count(*) from contents") == [(3,)]


async def test_a_seed_interrupted_before_processing_is_finished_by_the_next(services):
    from learningos.demo.seed import _learner_and_upload
    from learningos.jobs.repository import JobRepository
    from learningos.models.jobs import Job

    # The first run stopped after the upload: the learner and a queued job, nothing processed.
    user_id, _, content_id, job_id = await _learner_and_upload(services, print)
    assert job_id is not None
    async with services.db.transaction() as session:
        found = await JobRepository(session).unfinished(
            "content.process", user_id, content_id=str(content_id)
        )
        assert found is not None and found.id == job_id
        assert (
            await JobRepository(session).unfinished("content.process", user_id, content_id="x")
            is None
        )

    result = await seed_demo(services, print)
    assert not result.created_user and result.processed and result.content_id == content_id
    async with services.db.transaction() as session:
        content = await session.get(Content, content_id)
        assert content is not None and content.status == "ready"
        job = await session.get(Job, job_id)
        assert job is not None and job.status == "done"  # the left job was run, not a new one


def test_seed_command_refuses_a_production_configuration(tmp_path):
    production = {
        "LEARNINGOS_ENV": "production",
        # Nothing listens on these: the command must refuse before it opens any of them.
        "LEARNINGOS_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:9/learningos",
        "LEARNINGOS_REDIS_URL": "redis://127.0.0.1:9/0",
        "LEARNINGOS_QDRANT_URL": "http://127.0.0.1:9",
        "LEARNINGOS_JWT_SECRET": "k3Q9v-Xr7pL2mZ8tY4wB6nD1fH5jS0cA_eG2uI7oP9qR",
        "LEARNINGOS_BASE_URL": "https://learn.example.org",
    }
    refused = run(["-m", "learningos.cli", "seed", "--demo"], tmp_path, **production)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "Refusing to seed the demo in production" in refused.stderr
    assert DEMO_EMAIL in refused.stderr and "Sign in as" not in refused.stdout
    assert not (tmp_path / "learningos.db").exists()
