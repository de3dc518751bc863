"""Hybrid section search: dense passage similarity plus a share of BM25, fused by score.

score = dense + LEXICAL_WEIGHT × bm25 / max bm25 (over the item's sections, per query).
On ThinkStats2's 69-question set (recall@5 / MRR): dense 0.94 / 0.80, BM25 0.96 / 0.82,
this fusion 1.00 / 0.87. Reciprocal-rank fusion (k = 10–60) ranked answers lower (MRR
0.03–0.07 below on each of the three question sets measured). BM25 costs under 1 ms.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import OrderedDict
from typing import Literal

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.retrieval.embeddings import Embedder
from learningos.retrieval.index import DenseScores, Hit, SectionIndex
from learningos.retrieval.lexical import LexicalCache, LexicalDoc, LexicalIndex
from learningos.retrieval.repository import RetrievalSectionRepository

LEXICAL_WEIGHT = 0.3
Method = Literal["hybrid", "dense", "lexical"]

lexical_cache = LexicalCache()


class QueryVectors:
    """Recently embedded queries (learners and the context assembler repeat them)."""

    def __init__(self, max_items: int = 1024) -> None:
        self.max_items = max_items
        self._items: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._lock = threading.Lock()

    async def get(self, embedder: Embedder, query: str) -> list[float]:
        key = (embedder.name, query)
        with self._lock:
            vector = self._items.get(key)
        if vector is None:
            [vector] = await asyncio.to_thread(embedder.embed, [query])
            with self._lock:
                self._items[key] = vector
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        return vector

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


query_vectors = QueryVectors()


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values, best first."""
    if values.size <= k:
        return np.argsort(-values, kind="stable")
    part = np.argpartition(-values, k)[:k]
    return part[np.argsort(-values[part], kind="stable")]


def fuse(
    dense: DenseScores, lexical: LexicalIndex, bm25: np.ndarray, k: int, method: Method
) -> list[Hit]:
    """The k best sections by the chosen method. Sections that only one side returned get
    the other side's floor (dense: the lowest dense score; lexical: 0)."""
    lex = bm25 / bm25.max() if bm25.size and bm25.max() > 0 else np.zeros_like(bm25)
    weight = 0.0 if method == "dense" else LEXICAL_WEIGHT
    dense_part = np.zeros(len(dense.ids)) if method == "lexical" else dense.scores
    align = lexical.align(dense.ids)
    fused = dense_part.astype(np.float64)
    if lex.size and weight:
        fused = fused + weight * np.where(align >= 0, lex[np.maximum(align, 0)], 0.0)
    hits = [(float(fused[i]), dense.ids[i], dense.meta[i]) for i in _top(fused, k)]
    if weight and lex.size:
        floor = float(dense_part.min()) if dense_part.size and method != "lexical" else 0.0
        in_dense = np.zeros(lex.size, dtype=bool)
        in_dense[align[align >= 0]] = True
        for j in _top(np.where(in_dense, 0.0, lex), k):
            if lex[j] > 0 and not in_dense[j]:
                doc = lexical.docs[int(j)]
                meta = (doc.title, doc.page_start, doc.page_end)
                hits.append((floor + weight * float(lex[j]), doc.section_id, meta))
    hits.sort(key=lambda h: -h[0])
    return [Hit(sid, score, *meta) for score, sid, meta in hits[:k]]


async def hybrid_search(
    index: SectionIndex,
    lexical: LexicalIndex,
    content_id: uuid.UUID,
    query: str,
    k: int = 5,
    method: Method = "hybrid",
) -> list[Hit]:
    """Search one item with dense vectors and the given BM25 index, fused (or one alone)."""
    if not query.strip():
        return []
    if method == "lexical":
        empty = np.zeros(0, dtype=np.float32)
        return fuse(DenseScores([], [], empty, empty), lexical, lexical.scores(query), k, method)
    vector = await query_vectors.get(index.embedder, query)
    return await _fused(index, lexical, content_id, query, vector, k, method)


async def _fused(
    index: SectionIndex,
    lexical: LexicalIndex,
    content_id: uuid.UUID,
    query: str,
    vector: list[float],
    k: int,
    method: Method,
) -> list[Hit]:
    dense = await index.dense_scores(content_id, vector, limit=k)
    bm25 = lexical.scores(query) if method != "dense" else np.zeros(0, dtype=np.float32)
    return fuse(dense, lexical, bm25, k, method)


async def load_lexical(session: AsyncSession, content_id: uuid.UUID) -> LexicalIndex:
    """The item's BM25 index, rebuilt (in a worker thread) when its sections changed."""
    repo = RetrievalSectionRepository(session)
    version = await repo.version(content_id)
    cached = lexical_cache.get(content_id, version)
    if cached is not None:
        return cached
    rows = await repo.searchable(content_id)
    docs = [LexicalDoc(r.id, r.title, r.text, r.page_start, r.page_end) for r in rows]
    built = await asyncio.to_thread(LexicalIndex, docs)
    lexical_cache.put(content_id, version, built)
    return built


async def search_with_docs(
    session: AsyncSession, index: SectionIndex, content_id: uuid.UUID, query: str, k: int = 5
) -> tuple[list[Hit], LexicalIndex]:
    """`search_content`, also returning the BM25 index (it holds the sections' texts)."""
    if not query.strip():
        return [], LexicalIndex([])
    vector, lexical = await asyncio.gather(
        query_vectors.get(index.embedder, query), load_lexical(session, content_id)
    )
    hits = await _fused(index, lexical, content_id, query, vector, k, "hybrid")
    return hits, lexical


async def search_content(
    session: AsyncSession, index: SectionIndex, content_id: uuid.UUID, query: str, k: int = 5
) -> list[Hit]:
    """The k sections of one content item that best answer the query (hybrid search).
    The caller checks that the user may read the item; only its sections are searched."""
    hits, _ = await search_with_docs(session, index, content_id, query, k)
    return hits


async def warm(session: AsyncSession, index: SectionIndex, content_id: uuid.UUID) -> None:
    """Build the item's BM25 index and load its vectors now, so that its first search does
    not pay for them (about 2 s for 2,000 sections). Call after processing an item."""
    await load_lexical(session, content_id)
    await index.preload(content_id)
