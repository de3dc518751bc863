"""`learningos eval …`: re-runnable measurements on anyone's own files (see targets.md).

Each runs in the embedded mode against a temporary folder and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import json
import resource
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Measure ingestion and retrieval on your own files.", no_args_is_help=True)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _print(rows: list[tuple[str, Any]], as_json: dict[str, Any] | None) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        typer.echo(f"{name:<{width}}  {value}")
    if as_json is not None:
        typer.echo(json.dumps(as_json))


@app.command("ingest")
def ingest(
    pdf: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last.")] = False,
    text_out: Annotated[
        Path | None, typer.Option(help="Write the cleaned text, each page after '=== page N ==='.")
    ] = None,
) -> None:
    """Extract, clean, segment, embed, index and plan (offline learning map) a PDF; report
    seconds per stage."""
    from learningos.content.pdf import extract_pdf
    from learningos.content.segment import segment

    stages: dict[str, float] = {}
    start = time.perf_counter()
    document = extract_pdf(pdf, max_pages=100_000)
    stages["extract"] = time.perf_counter() - start
    mark = time.perf_counter()
    sections = segment(document)
    stages["segment"] = time.perf_counter() - mark
    stages.update(asyncio.run(_embed_and_index(sections)))
    mark = time.perf_counter()
    concepts = _plan(pdf.stem, sections)
    stages["learning_map"] = time.perf_counter() - mark
    total = time.perf_counter() - start
    if text_out:
        text_out.write_text(
            "".join(f"=== page {p.number} ===\n{p.text}\n" for p in document.pages), "utf-8"
        )
    pages = document.page_count
    result = {
        "pages": pages,
        "sections": len(sections),
        "concepts": concepts,
        "extract_pages_per_s": round(pages / max(stages["extract"], 1e-9), 1),
        "total_s": round(total, 2),
        "peak_rss_mb": _peak_rss_mb(),
        "stages": {k: round(v, 3) for k, v in stages.items()},
    }
    rows: list[tuple[str, Any]] = [(k, v) for k, v in result.items() if k != "stages"]
    rows += [(f"  {k} s", round(v, 3)) for k, v in stages.items()]
    _print(rows, result if as_json else None)


def _plan(title: str, sections: list[Any]) -> int:
    """The offline planner's map of the document; returns its number of concepts."""
    return len(_offline_map(title, sections).concepts)


def _offline_map(title: str, sections: list[Any], *, timed: list[float] | None = None) -> Any:
    """The offline planner's map of segmented sections, given as the app gives them (the
    stored section titles, without retrieval chunks). With `timed`, the model is loaded
    first and the seconds the planner took are appended to it."""
    from learningos.ai.inputs import PlannerInput, SectionInput
    from learningos.ai.offline.planner import plan
    from learningos.config import get_settings
    from learningos.retrieval.embeddings import LocalEmbedder

    inp = PlannerInput(
        content_title=title,
        sections=[
            SectionInput(
                str(i),
                s.title[:500] or "Untitled section",
                s.text,
                s.level,
                s.kind,
                s.page_start,
                s.page_end,
            )
            for i, s in enumerate(sections)
            if s.kind != "chunk"
        ],
    )
    settings = get_settings()
    embedder = LocalEmbedder(
        threads=settings.embedding_threads, precision=settings.embedding_precision
    )
    if timed is None:
        return plan(inp, embedder)
    embedder.embed(["load the model before the planner is timed"])
    mark = time.perf_counter()
    planned = plan(inp, embedder)
    timed.append(time.perf_counter() - mark)
    return planned


@app.command("map")
def learning_map(
    pdf: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="A PDF (or a text or Markdown file, as uploaded)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last.")] = False,
) -> None:
    """The learning map the offline planner builds from a PDF: each concept's title,
    description, difficulty and prerequisites, in map order, and counts of what reads badly
    (boilerplate or repeated titles, long or dangling descriptions)."""
    from learningos.ai.offline.map_checks import map_checks
    from learningos.content.document import IngestError
    from learningos.content.pdf import extract_pdf
    from learningos.content.segment import segment
    from learningos.content.sniff import HEAD_BYTES, sniff_kind
    from learningos.content.text import extract_text

    start = time.perf_counter()
    try:
        with pdf.open("rb") as file:
            kind = sniff_kind(file.read(HEAD_BYTES), pdf.name)
        if kind == "pdf":
            document = extract_pdf(pdf, max_pages=100_000)
        else:
            document = extract_text(pdf.read_bytes(), markdown=kind == "markdown")
        sections = segment(document)
        timed: list[float] = []
        planned = _offline_map(pdf.stem, sections, timed=timed)
    except IngestError as exc:
        raise typer.BadParameter(exc.message, param_hint="PDF") from exc
    except ValueError as exc:  # the planner found nothing to plan from
        raise typer.BadParameter(str(exc), param_hint="PDF") from exc
    plan_s = timed[0]
    concepts = [
        {
            "title": c.title,
            "description": c.description,
            "difficulty": c.difficulty,
            "prerequisites": c.prerequisites,
            "pages": [c.page_start, c.page_end],
        }
        for c in planned.concepts
    ]
    for i, c in enumerate(concepts, 1):
        first, last = c["pages"]
        pages = f"pp. {first}-{last}" if first is not None else "no pages"
        typer.echo(f"{i:>2}. {c['title']}  (level {c['difficulty']}, {pages})")
        if c["description"]:
            typer.echo(f"    {c['description']}")
        if c["prerequisites"]:
            typer.echo(f"    needs: {'; '.join(c['prerequisites'])}")
    typer.echo(
        f"{len(concepts)} concepts, {len(planned.milestones)} milestones; planned in "
        f"{plan_s:.2f} s ({time.perf_counter() - start:.2f} s with extraction and model load)"
    )
    checks = map_checks(concepts)
    typer.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in checks.items()))
    if as_json:
        result = {"concepts": concepts, "checks": checks, "plan_s": round(plan_s, 3)}
        typer.echo(json.dumps(result))


async def _embed_and_index(sections: list[Any]) -> dict[str, float]:
    from learningos.config import get_settings
    from learningos.content.tasks import searchable_sections
    from learningos.kit.vectors import VectorStore
    from learningos.retrieval.embeddings import make_embedder
    from learningos.retrieval.index import IndexedSection, SectionIndex

    with tempfile.TemporaryDirectory(prefix="learningos-eval-") as folder:
        vectors = VectorStore(None, Path(folder) / "qdrant")
        settings = get_settings()
        embedder = make_embedder(
            None,
            local_threads=settings.embedding_threads,
            local_precision=settings.embedding_precision,
        )
        index = SectionIndex(vectors, embedder)
        content_id = uuid.uuid4()
        leaves = searchable_sections(sections)
        items = [
            IndexedSection(uuid.uuid4(), content_id, s.title, s.text, s.page_start, s.page_end)
            for s in leaves
        ]
        mark = time.perf_counter()
        await asyncio.to_thread(index.embedder.embed, ["warm up"])
        load = time.perf_counter() - mark
        mark = time.perf_counter()
        await index.upsert(items)
        indexed = time.perf_counter() - mark
        await vectors.close()
    return {"model_load": load, "embed_and_index": indexed}


@app.command("retrieval")
def retrieval(
    pdf: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF file.")],
    questions: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help='JSONL: {"question", "pages"}.')
    ],
    k: Annotated[int, typer.Option(help="Sections returned per question.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last.")] = False,
) -> None:
    """Recall@k, MRR and latency of retrieval on a PDF and a question set."""
    from learningos.content.pdf import extract_pdf
    from learningos.content.segment import segment
    from learningos.retrieval.evaluate import run_retrieval_eval

    sections = segment(extract_pdf(pdf, max_pages=100_000))
    result = run_retrieval_eval(sections, questions, k=k)
    _print(list(result.items()), result if as_json else None)


@app.command("examiner")
def examiner(
    csv_path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            metavar="CSV",
            help="Columns id, question, desired_answer, student_answer, score_avg (0-5).",
        ),
    ],
    provider: Annotated[
        str,
        typer.Option(
            help="offline (default) or a configured provider, with --model; the call goes "
            "through the AI gateway (prompt, repair, boundaries)."
        ),
    ] = "offline",
    model: Annotated[str | None, typer.Option(help="The provider's model, e.g. gpt-4o.")] = None,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate",
            help="Offline only: refit the calibration with folds grouped by question, so every "
            "answer is scored by a model that never saw its question.",
        ),
    ] = False,
    folds: Annotated[int, typer.Option(min=2, help="Folds for --cross-validate.")] = 10,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Parallel LLM calls.")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last.")] = False,
) -> None:
    """Agreement of the Examiner with human grades: Pearson r and RMSE on the 0-5 scale."""
    from learningos.ai import examiner_eval
    from learningos.config import get_settings
    from learningos.retrieval.embeddings import LocalEmbedder

    try:
        rows = examiner_eval.load_rows(csv_path)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="CSV") from exc
    if not rows:
        raise typer.BadParameter("the file has no rows", param_hint="CSV")
    start = time.perf_counter()
    extra: dict[str, Any] = {}
    if provider == "offline":
        embedder = LocalEmbedder(precision=get_settings().embedding_precision)
        if cross_validate:
            result = examiner_eval.cross_validate(rows, embedder, folds)
            method = f"offline engine, {folds}-fold cross-validation grouped by question"
        else:
            from learningos.ai.offline.examiner import examine

            result = examiner_eval.score(
                rows, lambda r: examine(examiner_eval.to_input(r), embedder).confidence
            )
            method = "offline engine, shipped calibration"
    else:
        if not model:
            raise typer.BadParameter("--model is needed with --provider", param_hint="--model")
        if cross_validate:
            raise typer.BadParameter(
                "only the offline engine is calibrated", param_hint="--cross-validate"
            )
        confidences, fallbacks = asyncio.run(_llm_confidences(rows, provider, model, concurrency))
        result = examiner_eval.score_predictions(rows, confidences)
        method = f"{provider}:{model} through the AI gateway"
        extra["fallbacks"] = fallbacks
    result = {**result, **extra, "method": method, "seconds": round(time.perf_counter() - start, 1)}
    _print(list(result.items()), result if as_json else None)


async def _llm_confidences(
    rows: list[Any], provider: str, model: str, concurrency: int
) -> tuple[list[float], int]:
    """Each answer scored by the gateway with `provider:model` first in the examiner's chain;
    answers the gateway had to give to the offline engine are counted as fallbacks."""
    from learningos.ai import examiner_eval
    from learningos.ai.gateway import AIGateway, Caller, build_providers
    from learningos.config import Settings, get_settings
    from learningos.kit.db import Database
    from learningos.kit.migrate import upgrade

    base = get_settings()
    with tempfile.TemporaryDirectory(prefix="learningos-eval-") as folder:
        values = base.model_dump()
        values.update(
            data_dir=Path(folder),
            database_url=None,
            redis_url=None,
            ai_routing={"examiner": [f"{provider}:{model}"]},
        )
        settings = Settings(**values)
        await asyncio.to_thread(upgrade, settings.resolved_database_url)
        db = Database(settings.resolved_database_url)
        gateway = AIGateway(settings, build_providers(settings))
        gate = asyncio.Semaphore(concurrency)
        fallbacks = 0

        async def one(row: Any) -> float:
            nonlocal fallbacks
            async with gate, db.transaction() as session:
                result = await gateway.examine(examiner_eval.to_input(row), Caller(None), session)
            fallbacks += result.usage.fallback
            return result.output.confidence

        try:
            confidences = await asyncio.gather(*(one(r) for r in rows))
        finally:
            await gateway.aclose()
            await db.dispose()
    return list(confidences), fallbacks


@app.command("answers")
def answers(
    pdf: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF file.")],
    questions: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            metavar="QUESTIONS.jsonl",
            help='JSONL: {"question", "expect": [phrases]}.',
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help='Print one JSON object last, with "items".')
    ] = False,
) -> None:
    """Ingest a PDF and ask the tutor each question as a learner would ("ask your material",
    offline engine); a hit is an expected phrase within the first 80 words of the answer."""
    from learningos.jobs.modules import load_task_modules
    from learningos.kit.logging import configure_logging
    from learningos.learning.answer_eval import load_questions, run_answers

    configure_logging(
        "WARNING", False
    )  # the job's and the tutor's info lines would bury the figures
    try:
        items = load_questions(questions)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="QUESTIONS.jsonl") from exc
    if not items:
        raise typer.BadParameter("the file has no questions", param_hint="QUESTIONS.jsonl")
    load_task_modules()  # the ingest enqueues the welcome email and the processing job
    try:
        result = asyncio.run(run_answers(pdf, items, lambda line: typer.echo(line, err=True)))
    except ValueError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from exc
    rows = [(k, v) for k, v in result.items() if k != "items"]
    summary = {k: v for k, v in result.items() if k != "items"}
    full = {
        **summary,
        "items": [{"question": i["question"], "answer": i["answer"]} for i in result["items"]],
    }
    _print(rows, full if as_json else None)


@app.command("discrimination")
def discrimination(
    pdf: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            metavar="PDF",
            help="The material: a PDF (or a Markdown / text file, whose concepts are matched "
            "by section title).",
        ),
    ],
    answers: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            metavar="ANSWERS.jsonl",
            help='JSONL: {"concept", "pages": [first, last], "answer", "label"}; label one of '
            "correct, partial, contradictory, irrelevant, non-answer.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last.")] = False,
) -> None:
    """Whether the offline Examiner tells correct answers from wrong, off-topic and empty ones:
    mean confidence and Coach decisions per label, AUC correct vs contradictory / irrelevant."""
    from learningos.ai import discrimination_eval
    from learningos.ai.inputs import Thresholds
    from learningos.ai.offline.examiner import examine
    from learningos.config import get_settings
    from learningos.content.segment import segment
    from learningos.retrieval.embeddings import LocalEmbedder

    try:
        items = discrimination_eval.load_items(answers)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="ANSWERS.jsonl") from exc
    if not items:
        raise typer.BadParameter("the file has no answers", param_hint="ANSWERS.jsonl")
    sections = [s for s in segment(_read_document(pdf)) if s.kind != "chunk"]
    settings = get_settings()
    embedder = LocalEmbedder(precision=settings.embedding_precision)
    thresholds = Thresholds(
        proceed=settings.coach_proceed_threshold, practice=settings.coach_practice_threshold
    )
    start = time.perf_counter()
    try:
        result = discrimination_eval.run(
            items, sections, lambda inp: examine(inp, embedder), thresholds
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="ANSWERS.jsonl") from exc
    rows = discrimination_eval.report_rows(result)
    rows.append(("seconds", round(time.perf_counter() - start, 1)))
    _print(rows, result if as_json else None)


def _read_document(path: Path) -> Any:
    """The document of a PDF, Markdown or text file; a clear error for anything else."""
    from learningos.content.document import IngestError
    from learningos.content.pdf import extract_pdf
    from learningos.content.sniff import sniff_kind
    from learningos.content.text import extract_text

    try:
        with path.open("rb") as handle:
            kind = sniff_kind(handle.read(4096), path.name)
        if kind == "pdf":
            return extract_pdf(path, max_pages=100_000)
        return extract_text(path.read_bytes(), markdown=kind == "markdown")
    except IngestError as exc:
        raise typer.BadParameter(str(exc), param_hint="PDF") from exc
