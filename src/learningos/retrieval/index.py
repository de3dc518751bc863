"""The section index: passage vectors in Qdrant, scoped by content item.

Each section is embedded as one or more passages (its title plus about 150 words, so the
text fits MiniLM's 256-token window); passage 0's point id is the section id. A section's
dense score is 0.25 × its opening passage's cosine + 0.75 × its best passage's cosine:
the best passage finds details anywhere in a section (one vector per section only sees
its first ~200 words: MRR 0.58 against 0.82 on the ThinkStats2 set), the opening says what
the whole section is about.

With a Qdrant server the search is Qdrant's filtered query. In the embedded mode the local
folder is held by this one process, and qdrant-client's local mode scans every point of
the collection in Python on each query (about 100 ms for 7,000 points), so the index keeps
each searched item's vectors in memory, loaded from Qdrant and dropped on every write.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qdrant_client import models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from learningos.kit.errors import AppError
from learningos.kit.vectors import VectorStore
from learningos.retrieval.embeddings import Embedder

BATCH_POINTS = 100
PASSAGE_WORDS = 150
PASSAGE_OVERLAP = 30
LEAD_SHARE = 0.25  # weight of the opening passage in a section's dense score
_RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class IndexedSection:
    section_id: uuid.UUID
    content_id: uuid.UUID
    title: str
    text: str
    page_start: int | None
    page_end: int | None


@dataclass(frozen=True)
class Hit:
    section_id: uuid.UUID
    score: float
    title: str
    page_start: int | None
    page_end: int | None


@dataclass(frozen=True)
class DenseScores:
    """Dense similarity of a query to an item's sections: `lead` is the cosine of each
    section's opening passage, `best` of its closest passage."""

    ids: list[uuid.UUID]
    meta: list[tuple[str, int | None, int | None]]  # title, page_start, page_end
    lead: np.ndarray
    best: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        return LEAD_SHARE * self.lead + (1 - LEAD_SHARE) * self.best

    def top(self, k: int) -> list[Hit]:
        """The k best sections as hits."""
        scores = self.scores
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.ids[i], float(scores[i]), *self.meta[i]) for i in order]


class EmbedderMismatch(AppError):
    status_code = 503
    code = "index_model_mismatch"
    message = "The search index was built with another embedding model."


def passages(title: str, text: str) -> list[str]:
    """The texts embedded for a section: its title, then about 150 words, overlapping."""
    words = text.split()
    step = PASSAGE_WORDS - PASSAGE_OVERLAP
    starts = range(0, max(len(words) - PASSAGE_OVERLAP, 1), step)
    head = f"{title}: " if title else ""
    return [(head + " ".join(words[s : s + PASSAGE_WORDS])).strip() for s in starts]


def passage_id(section_id: uuid.UUID, number: int) -> str:
    return str(section_id if number == 0 else uuid.uuid5(section_id, f"passage-{number}"))


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code in _RETRYABLE_STATUS
    return isinstance(exc, ResponseHandlingException | ConnectionError | TimeoutError)


def _content_filter(content_id: uuid.UUID) -> models.Filter:
    match = models.MatchValue(value=str(content_id))
    return models.Filter(must=[models.FieldCondition(key="content_id", match=match)])


class SectionIndex:
    """Embeds sections into the `content_sections` collection and searches it per item."""

    def __init__(
        self,
        vectors: VectorStore,
        embedder: Embedder,
        collection: str = "content_sections",
        *,
        in_memory_search: bool | None = None,
        retry_wait: float = 0.5,
    ) -> None:
        self.vectors = vectors
        self.embedder = embedder
        self.collection = collection
        local = vectors.url is None
        self.in_memory_search = local if in_memory_search is None else in_memory_search
        self._retry_wait = retry_wait
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._cache = VectorCache()

    # --- collection ---------------------------------------------------------------------

    async def ensure_collection(self) -> None:
        """Create the collection (cosine, the embedder's dimension, recording the embedder's
        name), or check that an existing one was filled by this embedder."""
        client = self.vectors.client
        if not await client.collection_exists(self.collection):
            try:
                await client.create_collection(
                    self.collection,
                    vectors_config=models.VectorParams(
                        size=self.embedder.dimension, distance=models.Distance.COSINE
                    ),
                    metadata={
                        "embedder": self.embedder.name,
                        "dimension": self.embedder.dimension,
                    },
                )
            except UnexpectedResponse as exc:
                # A server answers 409 when another process (web worker, job worker)
                # created the collection since our check: check that one's embedder.
                if exc.status_code != 409:
                    raise
                await self._check_embedder()
            else:
                for field in ("content_id", "section_id") if self.vectors.url else ():
                    await client.create_payload_index(
                        self.collection, field, field_schema=models.PayloadSchemaType.KEYWORD
                    )
        else:
            await self._check_embedder()
        self._ready = True

    async def check(self) -> None:
        """Readiness: read the collection that searches use (its embedder and its size),
        not only list the collections. A store with nothing indexed yet is ready."""
        client = self.vectors.client
        if await client.collection_exists(self.collection):
            await self._check_embedder()
            await client.count(self.collection, exact=False)

    async def _check_embedder(self) -> None:
        info = await self.vectors.client.get_collection(self.collection)
        recorded = (info.config.metadata or {}).get("embedder")
        if recorded != self.embedder.name:
            raise EmbedderMismatch(
                f"The collection '{self.collection}' was filled by the embedding model "
                f"'{recorded or 'unknown'}', but the configured one is "
                f"'{self.embedder.name}'. Run `learningos reindex` to rebuild it."
            )

    async def _ensure_ready(self) -> None:
        if self._ready:
            return
        async with self._ready_lock:
            if not self._ready:
                await self.ensure_collection()

    async def recreate(self) -> None:
        """Drop and recreate the collection for the current embedder (before a reindex)."""
        async with self._ready_lock:
            if await self.vectors.client.collection_exists(self.collection):
                await self.vectors.client.delete_collection(self.collection)
            self._cache.clear()
            self._ready = False
            await self.ensure_collection()

    # --- writes -------------------------------------------------------------------------

    async def upsert(
        self,
        sections: Sequence[IndexedSection],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Embed (in a worker thread) and write sections, at most 100 points per request,
        retrying transient failures. A section's earlier passages are replaced."""
        await self._ensure_ready()
        done, total = 0, len(sections)
        for group in _groups(sections):
            texts = [(s, n, p) for s in group for n, p in enumerate(passages(s.title, s.text))]
            vectors = await asyncio.to_thread(self.embedder.embed, [t[2] for t in texts])
            points = [
                _point(section, number, vector)
                for (section, number, _), vector in zip(texts, vectors, strict=True)
            ]
            await self._retrying(self._delete_sections, [s.section_id for s in group])
            for start in range(0, len(points), BATCH_POINTS):
                batch = points[start : start + BATCH_POINTS]
                await self._retrying(self.vectors.client.upsert, self.collection, batch)
            self._cache.drop({s.content_id for s in group})
            done += len(group)
            if on_progress:
                on_progress(done, total)

    async def delete_content(self, content_id: uuid.UUID) -> None:
        """Remove every vector of a content item."""
        await self._ensure_ready()
        selector = models.FilterSelector(filter=_content_filter(content_id))
        await self._retrying(self.vectors.client.delete, self.collection, selector)
        self._cache.drop({content_id})

    async def _delete_sections(self, section_ids: list[uuid.UUID]) -> None:
        match = models.MatchAny(any=[str(i) for i in section_ids])
        flt = models.Filter(must=[models.FieldCondition(key="section_id", match=match)])
        await self.vectors.client.delete(self.collection, models.FilterSelector(filter=flt))

    async def _retrying(self, call: Callable[..., Any], *args: Any) -> Any:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(5),
            wait=wait_exponential(multiplier=self._retry_wait, max=10),
            retry=retry_if_exception(_transient),
            reraise=True,
        ):
            with attempt:
                return await call(*args)
        return None  # pragma: no cover - AsyncRetrying either returns or raises

    # --- reads --------------------------------------------------------------------------

    async def search(self, content_id: uuid.UUID, query: str, k: int = 5) -> list[Hit]:
        """The k sections of one content item closest to the query (dense only)."""
        if not query.strip():
            return []
        [vector] = await asyncio.to_thread(self.embedder.embed, [query])
        return (await self.dense_scores(content_id, vector, limit=k)).top(k)

    async def dense_scores(
        self, content_id: uuid.UUID, vector: list[float], limit: int = 5
    ) -> DenseScores:
        """Dense scores of one item's sections: all of them when searched in memory, else
        the sections of the best passages Qdrant returns (enough for `limit` sections)."""
        await self._ensure_ready()
        if self.in_memory_search:
            return (await self._cache.get(content_id, self._load)).scores(vector)
        found = await self.vectors.client.query_points(
            self.collection,
            query=vector,
            query_filter=_content_filter(content_id),
            limit=max(64, 8 * limit),
            with_payload=True,
        )
        return _aggregate(found.points)

    async def preload(self, content_id: uuid.UUID) -> None:
        """Load an item's vectors into memory ahead of its first search (embedded mode)."""
        await self._ensure_ready()
        if self.in_memory_search:
            await self._cache.get(content_id, self._load)

    async def _load(self, content_id: uuid.UUID) -> ContentVectors:
        points: list[models.Record] = []
        offset: Any = None
        while True:
            page, offset = await self.vectors.client.scroll(
                self.collection,
                scroll_filter=_content_filter(content_id),
                limit=1000,
                offset=offset,
                with_payload=True,
                with_vectors=True,
            )
            points.extend(page)
            if offset is None:
                return ContentVectors.from_points(points)


class ContentVectors:
    """One item's passage vectors in memory, rows grouped by section, opening passage first."""

    def __init__(self, records: list[tuple[str, int, dict[str, Any], list[float]]]) -> None:
        records.sort(key=lambda r: (r[0], r[1]))
        matrix = np.asarray([r[3] for r in records], dtype=np.float32)
        if matrix.ndim != 2:
            matrix = matrix.reshape(len(records), 0)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.matrix = matrix / np.where(norms == 0, 1, norms)
        starts = [i for i, r in enumerate(records) if i == 0 or records[i - 1][0] != r[0]]
        self.starts = np.asarray(starts, dtype=np.int64)
        self.ids = [uuid.UUID(records[i][0]) for i in starts]
        self.meta = [
            (str(p.get("title", "")), p.get("page_start"), p.get("page_end"))
            for p in (records[i][2] for i in starts)
        ]

    @classmethod
    def from_points(cls, points: Sequence[models.Record]) -> ContentVectors:
        records = [
            (str(p.payload["section_id"]), int(p.payload.get("passage", 0)), p.payload, p.vector)
            for p in points
            if p.payload and isinstance(p.vector, list)
        ]
        return cls(records)  # type: ignore[arg-type]

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes)

    def scores(self, vector: list[float]) -> DenseScores:
        """Cosine of the query against every passage, reduced per section."""
        if not self.ids:
            empty = np.zeros(0, dtype=np.float32)
            return DenseScores([], [], empty, empty)
        query = np.asarray(vector, dtype=np.float32)
        sims = self.matrix @ (query / (np.linalg.norm(query) or 1.0))
        best = np.maximum.reduceat(sims, self.starts)
        return DenseScores(self.ids, self.meta, sims[self.starts], best)


class VectorCache:
    """Items' vectors kept in memory, least recently used dropped beyond `max_bytes`. A load
    that raced with a write to the same item is not kept."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[uuid.UUID, ContentVectors] = OrderedDict()
        self._writes: dict[uuid.UUID, int] = {}

    async def get(
        self, content_id: uuid.UUID, load: Callable[[uuid.UUID], Awaitable[ContentVectors]]
    ) -> ContentVectors:
        item = self._items.get(content_id)
        if item is not None:
            self._items.move_to_end(content_id)
            return item
        writes = self._writes.get(content_id, 0)
        item = await load(content_id)
        if self._writes.get(content_id, 0) == writes:
            self._items[content_id] = item
            while sum(v.nbytes for v in self._items.values()) > self.max_bytes:
                self._items.popitem(last=False)
        return item

    def drop(self, content_ids: set[uuid.UUID]) -> None:
        for content_id in content_ids:
            self._items.pop(content_id, None)
            self._writes[content_id] = self._writes.get(content_id, 0) + 1

    def clear(self) -> None:
        for content_id in list(self._items):
            self.drop({content_id})


def _groups(sections: Sequence[IndexedSection]) -> list[list[IndexedSection]]:
    """Consecutive sections whose passages fill about one batch of points."""
    groups: list[list[IndexedSection]] = []
    size = 0
    for section in sections:
        count = len(passages(section.title, section.text))
        if not groups or size + count > BATCH_POINTS:
            groups.append([])
            size = 0
        groups[-1].append(section)
        size += count
    return groups


def _point(section: IndexedSection, number: int, vector: list[float]) -> models.PointStruct:
    return models.PointStruct(
        id=passage_id(section.section_id, number),
        vector=vector,
        payload={
            "content_id": str(section.content_id),
            "section_id": str(section.section_id),
            "title": section.title,
            "page_start": section.page_start,
            "page_end": section.page_end,
            "pages": [section.page_start, section.page_end],
            "passage": number,
        },
    )


def _aggregate(points: Sequence[models.ScoredPoint]) -> DenseScores:
    """Per-section scores from scored passages; an opening passage not returned is given
    the lowest returned score (it scored at most that)."""
    floor = min((p.score for p in points), default=0.0)
    lead: dict[str, float] = {}
    best: dict[str, float] = {}
    meta: dict[str, dict[str, Any]] = {}
    for point in points:
        payload = point.payload or {}
        sid = str(payload["section_id"])
        meta.setdefault(sid, payload)
        best[sid] = max(best.get(sid, -1.0), point.score)
        if payload.get("passage", 0) == 0:
            lead[sid] = point.score
    return DenseScores(
        [uuid.UUID(sid) for sid in meta],
        [(str(p.get("title", "")), p.get("page_start"), p.get("page_end")) for p in meta.values()],
        np.asarray([lead.get(sid, floor) for sid in meta], dtype=np.float32),
        np.asarray([best[sid] for sid in meta], dtype=np.float32),
    )
