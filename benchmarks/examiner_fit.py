"""Fit and measure the offline Examiner's calibration on graded short answers.

Computes the Examiner's signals for every answer of the CSV (Mohler layout: id, question,
desired_answer, student_answer, score_avg), cross-validates with folds grouped by question id
(the calibration never sees the question it is scored on), prints the pooled out-of-fold
Pearson r and RMSE (0–5 scale) beside a cosine-only baseline fitted the same way, then fits on
all rows and writes src/learningos/ai/offline/examiner_model.json.

  .venv/bin/python benchmarks/examiner_fit.py                 # 10 folds, writes the model
  .venv/bin/python benchmarks/examiner_fit.py --dry-run       # measure only
  .venv/bin/python benchmarks/examiner_fit.py --latency 100   # also time examine()

Features are cached in the system temp folder, keyed by the CSV, the examiner's source and
the embedder, so a rerun with nothing changed takes seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from learningos.ai import examiner_eval as ev
from learningos.ai.offline import examiner, nlp
from learningos.retrieval.embeddings import LocalEmbedder

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "asag" / "mohler_dev.csv"
MODEL = ROOT / "src" / "learningos" / "ai" / "offline" / examiner.MODEL_FILE
CACHE = Path(tempfile.gettempdir()) / "learningos-examiner-fit"

# (label, features, link, fixed rules applied)
VARIANTS: list[tuple[str, tuple[str, ...], str, bool]] = [
    ("cosine baseline", ("cosine",), "linear", False),
    ("similarity only", ("similarity",), "logit", True),
    ("coverage only", ("coverage",), "logit", True),
    ("examiner without rules", ev.MODEL_FEATURES, "logit", False),
    ("examiner, linear link", ev.MODEL_FEATURES, "linear", True),
    ("examiner + elaboration", (*ev.MODEL_FEATURES, "elaboration"), "logit", True),
    ("examiner", ev.MODEL_FEATURES, "logit", True),
]


def cache_key(csv_path: Path, embedder_name: str) -> str:
    digest = hashlib.sha256()
    digest.update(csv_path.read_bytes())
    digest.update(Path(examiner.__file__).read_bytes())
    digest.update(Path(nlp.__file__).read_bytes())
    digest.update(embedder_name.encode())
    return digest.hexdigest()[:16]


def cosine_column(rows: list[ev.Row], embedder: LocalEmbedder) -> list[float]:
    """The baseline signal: MiniLM cosine between the whole answer and the desired answer."""
    texts = sorted({r.student_answer for r in rows} | {r.desired_answer for r in rows})
    vectors = dict(zip(texts, np.asarray(embedder.embed(texts)), strict=True))
    return [float(vectors[r.student_answer] @ vectors[r.desired_answer]) for r in rows]


def load_table(rows: list[ev.Row], csv_path: Path, embedder: LocalEmbedder) -> list[dict]:
    path = CACHE / f"{cache_key(csv_path, embedder.name)}.json"
    if path.exists():
        return json.loads(path.read_text())
    start = time.perf_counter()
    table = ev.feature_table(rows, embedder)
    for feats, cosine in zip(table, cosine_column(rows, embedder), strict=True):
        feats["cosine"] = cosine
    print(f"features of {len(rows)} answers in {time.perf_counter() - start:.0f} s")
    CACHE.mkdir(exist_ok=True)
    path.write_text(json.dumps(table))
    return table


def copy_check(rows: list[ev.Row]) -> dict[str, Any]:
    """How graders score answers that copy the desired answer: the mean score of answers
    mostly made of 8-word runs of it, against the rest (the passage-length gate is lifted)."""
    gate = examiner.COPY_MIN_PASSAGE
    examiner.COPY_MIN_PASSAGE = 0
    try:
        shares = [examiner.copied_share(r.student_answer, [r.desired_answer]) for r in rows]
    finally:
        examiner.COPY_MIN_PASSAGE = gate
    copied = [r.score for r, s in zip(rows, shares, strict=True) if s >= examiner.COPY_START]
    other = [r.score for r, s in zip(rows, shares, strict=True) if s < examiner.COPY_START]
    return {
        "copies": len(copied),
        "copies_mean_score": round(statistics.fmean(copied), 2) if copied else None,
        "others_mean_score": round(statistics.fmean(other), 2),
    }


def latency(rows: list[ev.Row], embedder: LocalEmbedder, count: int) -> dict[str, float]:
    """examine() wall time per answer, starting from an empty vector cache (model loaded)."""
    embedder.embed(["warm up the model"])
    examiner.clear_cache()
    times = []
    for row in rows[:count]:
        start = time.perf_counter()
        examiner.examine(ev.to_input(row), embedder)
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    return {
        "n": len(times),
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="graded answers (CSV)")
    parser.add_argument("--folds", type=int, default=10, help="folds, grouped by question id")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for MiniLM")
    parser.add_argument("--dry-run", action="store_true", help="do not write the model file")
    parser.add_argument("--latency", type=int, default=0, metavar="N", help="time N examines")
    args = parser.parse_args()

    rows = ev.load_rows(args.data)
    embedder = LocalEmbedder(threads=args.threads)
    table = load_table(rows, args.data, embedder)
    questions = len({r.id for r in rows})
    print(f"{len(rows)} answers to {questions} questions, {args.folds} folds grouped by question")
    print(f"{'method':<24} {'features':<36} {'link':<7} {'r':>6} {'RMSE':>6}")
    figures: dict[str, dict[str, Any]] = {}
    for label, names, link, rules in VARIANTS:
        predicted = ev.out_of_fold(rows, table, args.folds, names=names, link=link, rules=rules)
        result = ev.score_predictions(rows, predicted)
        figures[label] = result
        print(
            f"{label:<24} {', '.join(names):<36} {link:<7} "
            f"{result['pearson_r']:>6.3f} {result['rmse']:>6.3f}"
        )
    copies = copy_check(rows)
    print(f"answers copying the desired answer: {copies}")
    if not args.dry_run:
        write_model(rows, table, figures, copies, args.data, args.folds, embedder.name)
    if args.latency:  # examine() reads the shipped model
        print(f"examine latency: {latency(rows, embedder, args.latency)}")


def write_model(
    rows: list[ev.Row],
    table: list[dict],
    figures: dict[str, dict[str, Any]],
    copies: dict[str, Any],
    data: Path,
    folds: int,
    embedder_name: str,
) -> None:
    """Fit on all rows and write the calibration the package ships."""
    questions = len({r.id for r in rows})

    calibration = ev.fit_rows(rows, table, ev.MODEL_FEATURES)
    calibration.extra = {
        "method": (
            "logistic regression on fractional targets (score_avg / 5), standardised "
            "features, L2 1.0, fitted on the answers no zeroing rule applies to; then fixed rules: empty, unreadable or 'I don't know' = 0, "
            f"question words only <= {examiner.QUESTION_ONLY_CAP}, verbatim copy of a long "
            f"passage loses up to {examiner.COPY_PENALTY:.0%}"
        ),
        "fitted_on": f"{data.name}: {len(rows)} answers to {questions} questions",
        "fitted": date.today().isoformat(),
        "embedder": embedder_name,
        "cv": {
            "folds": folds,
            "grouped_by": "question id",
            "scale": "0-5 (confidence x 5)",
            "examiner": figures["examiner"],
            "cosine_baseline": figures["cosine baseline"],
        },
        "copy_check": copies,
    }
    MODEL.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n")
    print(f"wrote {MODEL.relative_to(ROOT)}: {calibration.names} -> {calibration.weights}")


if __name__ == "__main__":
    main()
