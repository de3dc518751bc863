"""The demo: a learner with a short course already processed, so a newcomer sees a real
learning map and session within a minute.

The course (`course.md`, written for this project) goes through the same upload service a
real upload takes (`content.service.upload`), and its processing job is the real
`content.process` job. Only the dispatch differs: the job is not handed to a broker (in the
embedded mode there is no worker before `learningos serve` runs, and in production a worker
might pick it up after this command has returned); it runs here, so the map exists when
seeding returns.

Seeding is idempotent: the learner is found by email and the course by its title (and the
upload service's duplicate check by file hash), so a second run changes nothing and says so.
A seed that was interrupted is completed by the next one.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth.repository import UserRepository
from learningos.config import Settings
from learningos.content import service as content_service
from learningos.demo import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD
from learningos.demo.creator import CREATOR_EMAIL, creator_account, creator_items
from learningos.jobs.modules import load_task_modules
from learningos.jobs.repository import JobRepository
from learningos.kit.audit import audit
from learningos.kit.db import Database
from learningos.kit.errors import Conflict
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta
from learningos.kit.security import hash_password
from learningos.learning.repository import MapRepository
from learningos.models.content import Content, ContentStatus
from learningos.models.jobs import JobName
from learningos.models.user import Role, User
from learningos.services import Services

log = get_logger(__name__)

COURSE_TITLE = "How Memory Works: Learning That Lasts"
COURSE_DESCRIPTION = (
    "A short course on how memories are made, why we forget, and study habits that make "
    "learning last. Written for the Learning OS demo."
)
COURSE_FILE = "how-memory-works.md"
META = RequestMeta(ip="demo-seed", user_agent="learningos seed --demo")
STAGE_LABELS = {
    "extract": "extracting the text",
    "sections": "finding the sections",
    "embeddings": "embedding the sections",
    "map": "building the learning map",
    "done": "done",
}

Progress = Callable[[str], None]


class DemoSeedError(RuntimeError):
    """The demo course could not be processed; the message says why."""


@dataclass(frozen=True)
class SeedResult:
    user_id: uuid.UUID
    content_id: uuid.UUID
    created_user: bool
    processed: bool  # the course was processed in this run
    started_session: bool
    concepts: list[str]
    seconds: float

    @property
    def changed(self) -> bool:
        return self.created_user or self.processed or self.started_session


def _quiet(_: str) -> None:
    return None


async def seed_demo(services: Services, progress: Progress = _quiet) -> SeedResult:
    """Create the demo learner and the processed demo course, unless they already exist."""
    started = time.perf_counter()
    user_id, created_user, content_id, job_id = await _learner_and_upload(services, progress)
    if job_id is not None:
        await _process(services, content_id, job_id, progress)
    concepts = await _concept_titles(services, content_id)
    started_session = False
    if job_id is not None and concepts:
        started_session = await _start_session(services, user_id, content_id, progress)
    created_creator = await _seed_creator(services, progress)
    return SeedResult(
        user_id=user_id,
        content_id=content_id,
        created_user=created_user or created_creator,
        processed=job_id is not None,
        started_session=started_session,
        concepts=concepts,
        seconds=time.perf_counter() - started,
    )


async def _seed_creator(services: Services, progress: Progress) -> bool:
    """The demo creator and their paid and free items (processed here, like the course)."""
    async with services.db.transaction() as session:
        creator, created = await creator_account(session)
        jobs = await creator_items(session, services, creator)
        services.queue.discard_pending(session)
    if created:
        progress(f"Created the demo creator {CREATOR_EMAIL} (one paid and one free material).")
    for content_id, job_id in jobs:
        if job_id is not None:
            await _process(services, content_id, job_id, _quiet)
    return created or bool(jobs)


async def _learner_and_upload(
    services: Services, progress: Progress
) -> tuple[uuid.UUID, bool, uuid.UUID, uuid.UUID | None]:
    """The learner and the course in one transaction; the id of the job to run, if any."""
    try:
        async with services.db.transaction() as session:
            user, created = await _learner(session, progress)
            content, job_id = await _course(session, services, user, progress)
            # Run the job here rather than through the broker (see the module docstring).
            services.queue.discard_pending(session)
            return user.id, created, content.id, job_id
    except (IntegrityError, Conflict):
        # Another process seeded at the same moment (e.g. two web processes starting on an
        # empty database): its learner and course stand.
        progress("The demo is being seeded by another process; nothing to do here.")
        async with services.db.transaction() as session:
            found = await UserRepository(session).get_by_email(DEMO_EMAIL)
            if found is None:
                raise
            theirs = await _demo_content(session, found)
            if theirs is None:
                raise
            return found.id, False, theirs.id, None


async def _learner(session: AsyncSession, progress: Progress) -> tuple[User, bool]:
    users = UserRepository(session)
    user = await users.get_by_email(DEMO_EMAIL)
    if user is not None:
        progress(f"Demo learner {DEMO_EMAIL} already exists.")
        return user, False
    # Not `auth.service.create_user`: its policy rightly refuses this account's reserved
    # `.local` address (it can never receive mail) and its public, name-based password.
    user = await users.add(
        User(
            name=DEMO_NAME,
            email=DEMO_EMAIL,
            role=Role.USER.value,
            password_hash=await hash_password(DEMO_PASSWORD),
        )
    )
    await audit(session, "auth.user_created", META, user.id, role=user.role, demo=True)
    progress(f"Created the demo learner {DEMO_EMAIL}.")
    return user, True


async def _course(
    session: AsyncSession, services: Services, user: User, progress: Progress
) -> tuple[Content, uuid.UUID | None]:
    """The demo course, uploaded unless the learner has it (found by title, so a newer
    version of the course text does not add a second copy)."""
    content = await _demo_content(session, user)
    if content is None:
        with resources.as_file(resources.files(__package__) / "course.md") as path:
            uploaded = await content_service.upload(
                session,
                services,
                user,
                path=Path(path),
                filename=COURSE_FILE,
                title=COURSE_TITLE,
                description=COURSE_DESCRIPTION,
                meta=META,
            )
        content = uploaded.content
        if not uploaded.duplicate:
            assert uploaded.job is not None
            progress(f"Uploaded the demo course “{content.title}”.")
            return content, uploaded.job.id
    if content.status == ContentStatus.READY:
        progress(f"The demo course “{content.title}” is already processed.")
        return content, None
    progress(f"The demo course “{content.title}” is not processed yet ({content.status}).")
    return content, await _unfinished_job(session, services, user, content)


async def _unfinished_job(
    session: AsyncSession, services: Services, user: User, content: Content
) -> uuid.UUID:
    """The course's processing job left by an interrupted seed, or a new one."""
    if content.status != ContentStatus.ERROR:
        job = await JobRepository(session).unfinished(
            JobName.CONTENT_PROCESS, user.id, content_id=str(content.id)
        )
        if job is not None:
            return job.id
        content.status = ContentStatus.ERROR  # nothing is processing it: let `retry` queue it again
    job = await content_service.retry(session, services, user, content.id)
    return job.id


async def _demo_content(session: AsyncSession, user: User) -> Content | None:
    rows = await content_service.library(session, user)
    return next((c for c in rows if c.user_id == user.id and c.title == COURSE_TITLE), None)


async def _process(
    services: Services, content_id: uuid.UUID, job_id: uuid.UUID, progress: Progress
) -> None:
    """Run the processing job in this process, reporting each stage as it starts."""
    run = asyncio.create_task(services.queue.run(job_id))
    last = ""
    while not run.done():
        await asyncio.wait({run}, timeout=0.25)
        stage = (await _content(services, content_id)).stage
        if stage != last and stage in STAGE_LABELS and stage != "done":
            progress(f"  … {STAGE_LABELS[stage]}")
            last = stage
    await run
    content = await _content(services, content_id)
    if content.status != ContentStatus.READY:
        raise DemoSeedError(f"The demo course could not be processed: {content.status_message}")


async def _content(services: Services, content_id: uuid.UUID) -> Content:
    async with services.db.transaction() as session:
        content = await session.get(Content, content_id)
    if content is None:
        raise DemoSeedError("The demo course was deleted while it was being processed.")
    return content


async def _concept_titles(services: Services, content_id: uuid.UUID) -> list[str]:
    async with services.db.transaction() as session:
        maps = MapRepository(session)
        learning_map = await maps.of_content(content_id)
        if learning_map is None:
            return []
        return [c.title for c in await maps.concepts(learning_map.id)]


async def _start_session(
    services: Services, user_id: uuid.UUID, content_id: uuid.UUID, progress: Progress
) -> bool:
    """Start the first concept's session, as the learn page's Start button does, so the
    learner finds a tutor's explanation waiting."""
    from learningos.sessions import service as sessions
    from learningos.sessions.repository import SessionRepository

    async with services.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        if await SessionRepository(session).open_on(user.id, content_id) is not None:
            return False
        ls = await sessions.start(session, services, user, content_id)
        await sessions.interact(session, services, user, ls.id, "start")
    progress("  … started a session on the first concept")
    return True


async def demo_seed_needed(settings: Settings, db: Database) -> bool:
    """Seed on start only when the setting is on and nobody has an account yet."""
    if not settings.seeds_demo:
        return False
    async with db.transaction() as session:
        return await UserRepository(session).count() == 0


@asynccontextmanager
async def seeding_services(settings: Settings) -> AsyncIterator[Services]:
    """Services for seeding outside the web app, closed afterwards (the local vector store
    serves one process at a time, so it must be released before the app opens it)."""
    load_task_modules()
    services = Services.build(settings)
    try:
        yield services
    finally:
        await services.ai.aclose()
        await services.vectors.close()
        await services.cache.close()
        await services.db.dispose()


async def seed_with_settings(settings: Settings, progress: Progress = _quiet) -> SeedResult:
    """Seed outside the web app (the CLI, or `serve` before it starts the app). Refused in
    production, before anything is opened: the demo account's password is published."""
    if settings.env == "production":
        raise DemoSeedError(
            "Refusing to seed the demo in production (LEARNINGOS_ENV=production): the demo "
            f"account ({DEMO_EMAIL}) has a published password, so anyone could sign in to "
            "this database with it. Seed a development or test database instead."
        )
    async with seeding_services(settings) as services:
        try:
            await services.vectors.ping()  # before any change: is the store free and up?
        except RuntimeError as exc:
            if "already accessed" not in str(exc):  # qdrant-client's lock on a local folder
                raise
            raise DemoSeedError(
                "The local vector store is in use by a running `learningos serve`. Stop it, "
                "seed, then start it again (on an empty database it seeds by itself)."
            ) from exc
        return await seed_demo(services, progress)


async def seed_on_first_start(settings: Settings, progress: Progress) -> SeedResult | None:
    """`learningos serve`: seed the demo when the database has no users and
    LEARNINGOS_DEMO_SEED is on; None when not needed."""
    db = Database(settings.resolved_database_url, 1)
    try:
        needed = await demo_seed_needed(settings, db)
    finally:
        await db.dispose()
    if not needed:
        return None
    progress(
        "No accounts yet: seeding demo course… (once, 15–30 s; "
        "LEARNINGOS_DEMO_SEED=false turns this off)"
    )
    log.info("demo.seeding")
    result = await seed_with_settings(settings, progress)
    log.info("demo.seeded", seconds=round(result.seconds, 1), concepts=len(result.concepts))
    return result
