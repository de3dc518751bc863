"""Measuring an Examiner against graded short answers (the Mohler ASAG set layout).

`score` is provider-agnostic: it takes any `predict(row) -> confidence in 0..1` and compares
confidence × 5 with the graders' 0–5 score. `cross_validate` measures the offline Examiner on
questions it was not fitted on: folds are grouped by question id, the calibration is refitted
on the other folds each time, and r / RMSE are pooled over all out-of-fold predictions.
Blocking and synchronous; async callers wrap `predict` themselves.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from learningos.ai.inputs import ConceptRef, ExaminerInput, Passage
from learningos.ai.offline import examiner
from learningos.ai.offline.examiner import Calibration, Embedder

SCALE = 5.0  # graders' scores run 0–5; confidences 0–1
REQUIRED_COLUMNS = ("id", "question", "desired_answer", "student_answer", "score_avg")
# Elaboration is measured too but left out: its fitted weight is negative (soft coverage
# already rises with answer length) and graded answers are too short to say how it behaves
# for a long explanation; it only informs the feedback.
MODEL_FEATURES = ("similarity", "coverage")


@dataclass(frozen=True)
class Row:
    id: str  # the question's id ("1.1"): every answer to one question shares it
    question: str
    desired_answer: str
    student_answer: str
    score: float  # the graders' average, 0–5


def load_rows(path: str | Path) -> list[Row]:
    """Rows of a CSV with the columns id, question, desired_answer, student_answer and
    score_avg (others are ignored); ValueError naming what is missing or malformed."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        absent = [c for c in REQUIRED_COLUMNS if c not in columns]
        if absent:
            raise ValueError(f"{path}: missing column(s): {', '.join(absent)}")
        rows = []
        for line, record in enumerate(reader, start=2):
            try:
                value = float(record["score_avg"])
            except (TypeError, ValueError):
                raise ValueError(f"{path}:{line}: score_avg is not a number") from None
            rows.append(
                Row(
                    id=record["id"].strip(),
                    question=record["question"],
                    desired_answer=record["desired_answer"],
                    student_answer=record["student_answer"] or "",
                    score=value,
                )
            )
    return rows


def to_input(row: Row) -> ExaminerInput:
    """The Examiner's view of a row: the desired answer is both the concept's description and
    its only passage, the question is the concept's title."""
    return ExaminerInput(
        concept=ConceptRef(title=row.question, description=row.desired_answer),
        passages=[Passage(text=row.desired_answer)],
        answer=row.student_answer,
        question=row.question,
    )


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or float(a.std()) == 0.0 or float(b.std()) == 0.0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def score_predictions(rows: Sequence[Row], predicted: Sequence[float]) -> dict[str, Any]:
    """n, Pearson r and RMSE (0–5 scale) of confidences (0..1, one per row) × 5."""
    guess = np.clip(np.asarray(predicted, dtype=float), 0.0, 1.0) * SCALE
    truth = np.asarray([r.score for r in rows], dtype=float)
    return {
        "n": len(rows),
        "pearson_r": round(_pearson(guess, truth), 4),
        "rmse": round(float(np.sqrt(np.mean((guess - truth) ** 2))), 4) if rows else math.nan,
    }


def score(rows: Sequence[Row], predict: Callable[[Row], float]) -> dict[str, Any]:
    """Pearson r and RMSE (0–5 scale) of confidence × 5 against the graders' scores."""
    return score_predictions(rows, [predict(r) for r in rows])


# --- fitting ---------------------------------------------------------------------------------


def feature_table(rows: Sequence[Row], embedder: Embedder) -> list[dict[str, float]]:
    """The offline Examiner's signals for every row."""
    return [examiner.features(to_input(r), embedder) for r in rows]


def fit_calibration(
    table: Sequence[dict[str, float]],
    targets: Sequence[float],
    names: Sequence[str] = MODEL_FEATURES,
    *,
    link: str = "logit",
    l2: float = 1.0,
) -> Calibration:
    """Fit weights on standardised features; targets are confidences in 0..1.

    "logit": logistic regression on fractional targets (cross-entropy, Newton steps), so the
    confidence saturates at both ends as graded scores do. "linear": ridge least squares.
    `l2` is the ridge penalty on the standardised weights; the intercept is not shrunk."""
    x = np.asarray([[f[n] for n in names] for f in table], dtype=float)
    t = np.asarray(targets, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    design = np.column_stack([(x - mean) / scale, np.ones(len(x))])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0  # the intercept is not shrunk
    if link == "linear":
        w = np.linalg.solve(design.T @ design + penalty, design.T @ t)
    elif link == "logit":
        w = _newton_logit(design, t, penalty)
    else:
        raise ValueError(f"unknown link: {link}")
    return Calibration(
        names=list(names),
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        weights=[round(float(v), 6) for v in w[:-1]],
        intercept=round(float(w[-1]), 6),
        link=link,
    )


def _newton_logit(design: np.ndarray, t: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    w = np.zeros(design.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (p - t) + penalty @ w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return np.asarray(w)


def grouped_folds(groups: Sequence[str], folds: int) -> list[list[int]]:
    """Row indexes of each test fold; all rows of a group land in the same fold. Largest
    groups first, each into the fold with fewest rows so far (as scikit-learn's GroupKFold)."""
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    if folds < 2 or folds > len(members):
        raise ValueError(f"folds must be between 2 and the number of groups ({len(members)})")
    buckets: list[list[int]] = [[] for _ in range(folds)]
    for g in sorted(members, key=lambda k: (-len(members[k]), k)):
        min(buckets, key=len).extend(members[g])
    return [sorted(b) for b in buckets]


def fit_rows(
    rows: Sequence[Row],
    table: Sequence[dict[str, float]],
    names: Sequence[str] = MODEL_FEATURES,
    *,
    link: str = "logit",
    rules: bool = True,
    among: Sequence[int] | None = None,
) -> Calibration:
    """Fit on the rows (or the indexes `among` them). With `rules`, answers a fixed rule
    scores 0 anyway (empty, "I don't know"...) are left out: their all-zero signals would
    only pull the fit towards points the calibration is never asked about."""
    chosen = range(len(rows)) if among is None else among
    used = [i for i in chosen if not (rules and examiner.ruled_out(table[i]))]
    targets = [rows[i].score / SCALE for i in used]
    return fit_calibration([table[i] for i in used], targets, names, link=link)


def out_of_fold(
    rows: Sequence[Row],
    table: Sequence[dict[str, float]],
    folds: int = 10,
    *,
    names: Sequence[str] = MODEL_FEATURES,
    link: str = "logit",
    rules: bool = True,
) -> list[float]:
    """Confidence of every row from a calibration fitted without its question's rows.
    `rules` applies the Examiner's fixed rules (empty, "I don't know"...) after the model."""
    predicted = [0.0] * len(rows)
    for test in grouped_folds([r.id for r in rows], folds):
        held = set(test)
        train = [i for i in range(len(rows)) if i not in held]
        calibration = fit_rows(rows, table, names, link=link, rules=rules, among=train)
        for i in test:
            if rules:
                predicted[i] = examiner.confidence(table[i], calibration)
            else:
                predicted[i] = calibration.predict(table[i])
    return predicted


def cross_validate(
    rows: Sequence[Row],
    embedder: Embedder,
    folds: int = 10,
    *,
    names: Sequence[str] = MODEL_FEATURES,
    link: str = "logit",
    table: Sequence[dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Pooled out-of-fold r and RMSE with folds grouped by question id. Pass `table` (from
    `feature_table`) to skip computing the features again."""
    if table is None:
        table = feature_table(rows, embedder)
    predicted = out_of_fold(rows, table, folds, names=names, link=link)
    return {**score_predictions(rows, predicted), "folds": folds}
