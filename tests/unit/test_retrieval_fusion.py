"""Passages, per-section aggregation and score fusion (no model, no Qdrant)."""

from __future__ import annotations

import uuid

import numpy as np
from qdrant_client import models

from learningos.retrieval.index import (
    PASSAGE_WORDS,
    DenseScores,
    _aggregate,
    passage_id,
    passages,
)
from learningos.retrieval.lexical import LexicalDoc, LexicalIndex
from learningos.retrieval.search import LEXICAL_WEIGHT, fuse


def test_passages_cover_the_text_with_overlap_and_carry_the_title() -> None:
    words = [f"w{i}" for i in range(400)]
    out = passages("Title", " ".join(words))
    assert all(p.startswith("Title: ") for p in out)
    assert len(out) == 4  # starts at 0, 120, 240, 360
    assert out[0].split()[1:] == words[:PASSAGE_WORDS]
    assert out[-1].split()[-1] == "w399"
    assert passages("Only a title", "") == ["Only a title:"]
    assert len(passages("T", " ".join(words[:150]))) == 1


def test_passage_ids_are_stable_and_the_first_is_the_section_id() -> None:
    sid = uuid.uuid4()
    assert passage_id(sid, 0) == str(sid)
    assert passage_id(sid, 3) == passage_id(sid, 3) != passage_id(sid, 2)


def test_aggregate_takes_best_passage_and_floors_a_missing_opening() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()

    def point(sid: uuid.UUID, n: int, score: float) -> models.ScoredPoint:
        payload = {"section_id": str(sid), "passage": n, "title": str(sid)[:4], "page_start": 1}
        return models.ScoredPoint(id=passage_id(sid, n), version=0, score=score, payload=payload)

    dense = _aggregate([point(a, 2, 0.9), point(a, 0, 0.5), point(b, 1, 0.7), point(b, 3, 0.2)])
    by_id = dict(
        zip(dense.ids, zip(dense.lead.tolist(), dense.best.tolist(), strict=True), strict=True)
    )
    assert by_id[a] == (0.5, np.float32(0.9))
    assert by_id[b] == (np.float32(0.2), np.float32(0.7))  # opening not returned: floor


def _dense(ids: list[uuid.UUID], scores: list[float]) -> DenseScores:
    arr = np.asarray(scores, dtype=np.float32)
    return DenseScores(ids, [(f"s{i}", i, i) for i in range(len(ids))], arr, arr)


def test_fuse_adds_normalised_bm25_and_keeps_lexical_only_sections() -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    docs = [LexicalDoc(i, f"s{n}", "", n, n) for n, i in enumerate(ids)]
    lexical = LexicalIndex(docs)
    dense = _dense(ids[:3], [0.50, 0.45, 0.10])
    bm25 = np.asarray([0.0, 2.0, 0.0, 4.0], dtype=np.float32)
    hits = fuse(dense, lexical, bm25, k=4, method="hybrid")
    assert [h.section_id for h in hits][:2] == [ids[1], ids[0]]
    assert hits[0].score == np.float32(0.45) + LEXICAL_WEIGHT * 0.5
    lexical_only = next(h for h in hits if h.section_id == ids[3])
    assert abs(lexical_only.score - (0.10 + LEXICAL_WEIGHT)) < 1e-6  # dense floor + bm25
    assert [h.section_id for h in fuse(dense, lexical, bm25, 2, "dense")] == ids[:2]
    assert fuse(dense, lexical, bm25, 1, "lexical")[0].section_id == ids[3]
