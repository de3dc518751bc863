"""How well the tutor answers a learner's free questions on a book (`learningos eval answers`).

The book goes through the product itself, in a throw-away embedded instance (SQLite, a local
Qdrant folder, the in-memory queue, no AI key so every role is the offline engine): the
upload service stores it, the real `content.process` job extracts, segments, embeds, indexes
and plans it, and each question is asked through `learning.service.ask`, the service behind
"ask your material" (the session's "Ask the tutor" sends the same TutorInput through the same
gateway). A question is answered (a hit) when one of its expected phrases appears,
case-insensitive, within the first 80 words of the answer.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learningos.config import Settings, get_settings
from learningos.kit import jsonl

HEAD_WORDS = 80


@dataclass(frozen=True)
class Question:
    question: str
    expect: list[str]


def load_questions(path: Path) -> list[Question]:
    """The questions of a JSONL file, one {"question", "expect": [phrases]} per line.
    Raises ValueError naming the first bad line."""
    found: list[Question] = []
    for number, item in jsonl.records(path):
        question = item.get("question") if isinstance(item, dict) else None
        expect = item.get("expect") if isinstance(item, dict) else None
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f'line {number} has no "question" text')
        if (
            not isinstance(expect, list)
            or not expect
            or not all(isinstance(p, str) and p.strip() for p in expect)
        ):
            raise ValueError(f'line {number} needs "expect": a list of phrases')
        found.append(Question(question.strip(), [p.strip() for p in expect]))
    return found


def is_hit(answer: str, expect: list[str], head_words: int = HEAD_WORDS) -> bool:
    """Whether an expected phrase appears (case-insensitive, whitespace-normalised) within
    the first `head_words` words of the answer."""
    head = " ".join(answer.split()[:head_words]).lower()
    return any(" ".join(phrase.lower().split()) in head for phrase in expect)


def _offline_settings(folder: Path) -> Settings:
    """The operator's settings with their stores and AI keys replaced: embedded stores in
    `folder`, the local embedding model and the offline engine for every role."""
    values = get_settings().model_dump()
    values.update(
        env="development",
        data_dir=folder,
        database_url=None,
        redis_url=None,
        qdrant_url=None,
        storage_backend="local",
        openai_api_key=None,
        deepseek_api_key=None,
        ai_providers={},
        ai_routing={},
        embedding_provider="local",
        web_workers=1,
        max_pdf_pages=20_000,
        ai_calls_free_daily=1_000_000,
        log_level="WARNING",
    )
    return Settings(**values)


async def run_answers(
    pdf: Path, questions: list[Question], progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Ingest `pdf` in a temporary instance and ask every question; the hit rate, timings and
    each answer (in input order)."""
    import anyio

    from learningos.kit.migrate import upgrade

    say = progress or (lambda _: None)
    with tempfile.TemporaryDirectory(prefix="learningos-answers-") as folder:
        settings = _offline_settings(Path(folder))
        await anyio.to_thread.run_sync(upgrade, settings.resolved_database_url)
        from learningos.services import Services

        services = Services.build(settings)
        try:
            started = time.perf_counter()
            user_id, content_id = await ingest(services, pdf)
            ingest_s = time.perf_counter() - started
            say(f"ingested {pdf.name} in {ingest_s:.1f} s")
            started = time.perf_counter()
            answers = await ask_all(services, user_id, content_id, [q.question for q in questions])
            ask_s = time.perf_counter() - started
        finally:
            await services.ai.aclose()
            await services.vectors.close()
            await services.cache.close()
            await services.db.dispose()
    hits = [is_hit(a, q.expect) for q, a in zip(questions, answers, strict=True)]
    n = len(questions)
    return {
        "n": n,
        "hits": sum(hits),
        "hit_rate": round(sum(hits) / n, 4) if n else 0.0,
        "not_covered": sum(_not_covered(a) for a in answers),
        "ingest_s": round(ingest_s, 1),
        "mean_answer_ms": round(1000 * ask_s / max(n, 1), 1),
        "items": [
            {"question": q.question, "answer": a, "hit": h}
            for q, a, h in zip(questions, answers, hits, strict=True)
        ],
    }


def _not_covered(answer: str) -> bool:
    return answer.startswith("Your material does not seem to cover this")


async def ingest(services: Any, pdf: Path) -> tuple[Any, Any]:
    """A learner and the processed book, through the upload service and the real processing
    job (run here rather than through the broker, as the demo seed does)."""
    import uuid

    from learningos.auth.service import create_user
    from learningos.content import service as content_service
    from learningos.kit.requestmeta import RequestMeta
    from learningos.models.content import Content, ContentStatus
    from learningos.models.user import Role

    async with services.db.transaction() as session:
        user = await create_user(
            session,
            services,
            name="Answer evaluation",
            email="answers@example.com",
            password=uuid.uuid4().hex + "Aa1!",
            role=Role.USER,
        )
        uploaded = await content_service.upload(
            session,
            services,
            user,
            path=pdf,
            filename=pdf.name,
            title=None,
            description=None,
            meta=RequestMeta(ip="eval", user_agent="learningos eval answers"),
        )
        services.queue.discard_pending(session)
        user_id, content_id = user.id, uploaded.content.id
        job_id = uploaded.job.id if uploaded.job else None
    if job_id is not None:
        await services.queue.run(job_id)
    async with services.db.transaction() as session:
        content = await session.get(Content, content_id)
        if content is None or content.status != ContentStatus.READY:
            message = content.status_message if content else "the item disappeared"
            raise ValueError(f"the PDF could not be processed: {message}")
    return user_id, content_id


async def ask_all(services: Any, user_id: Any, content_id: Any, questions: list[str]) -> list[str]:
    """Each question asked as a learner asks it, one transaction per question."""
    from learningos.learning import service
    from learningos.models.user import User

    answers: list[str] = []
    for question in questions:
        async with services.db.transaction() as session:
            user = await session.get(User, user_id)
            result = await service.ask(session, services, user, content_id, question)
            answers.append(result.output.text)
    return answers
