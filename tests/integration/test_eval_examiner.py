"""`learningos eval examiner`: the offline engine on graded answers, and an LLM provider through
the gateway (the real adapter against the local fake provider)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.evaldata import MOHLER, need
from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.openai_server import FakeOpenAI, reply
from tests.integration.test_cli import run


def small_csv(tmp_path: Path, questions: int = 3) -> tuple[Path, int]:
    """The dev file's answers to its first few questions."""
    with need(MOHLER).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader]
    keep = list(dict.fromkeys(r["id"] for r in rows))[:questions]
    chosen = [r for r in rows if r["id"] in keep]
    path = tmp_path / "graded.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chosen)
    return path, len(chosen)


def test_offline_examiner_agrees_with_graders(tmp_path):  # type: ignore[no-untyped-def]
    path, n = small_csv(tmp_path)
    result = run(["eval", "examiner", str(path), "--json"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["n"] == n
    assert figures["pearson_r"] > 0.3 and figures["rmse"] < 1.5
    assert "pearson_r" in result.stdout.splitlines()[1] or "pearson_r" in result.stdout


def test_llm_provider_goes_through_the_gateway(tmp_path, fake_openai: FakeOpenAI):  # type: ignore[no-untyped-def]  # noqa: F811
    path, n = small_csv(tmp_path, questions=1)
    with path.open(newline="", encoding="utf-8") as handle:
        scores = [float(r["score_avg"]) for r in csv.DictReader(handle)]
    fake_openai.enqueue(
        *(reply(json.dumps({"confidence": s / 5, "feedback": "ok", "gaps": []})) for s in scores)
    )
    result = run(
        ["eval", "examiner", str(path), "--provider", "openai", "--model", "gpt-4o",
         "--concurrency", "1", "--json"],
        tmp_path / "data",
        LEARNINGOS_OPENAI_API_KEY="test-key",
        LEARNINGOS_OPENAI_BASE_URL=fake_openai.base_url,
        LEARNINGOS_EMBEDDING_PROVIDER="local",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["n"] == n and figures["fallbacks"] == 0
    assert figures["rmse"] < 0.01  # the fake answered with the graders' own scores
    assert len(fake_openai.requests) == n
    assert fake_openai.requests[0].json["model"] == "gpt-4o"


def test_a_csv_without_the_columns_is_refused(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text("question,answer\nq,a\n", encoding="utf-8")
    result = run(["eval", "examiner", str(path)], tmp_path / "data")
    assert result.returncode == 2
    assert "missing column" in result.stderr
