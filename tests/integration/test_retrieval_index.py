"""The section index on a real local Qdrant folder: collection, batches, scoping, deletes,
the model-mismatch guard, retries, and the server-style (Qdrant query) search path."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from qdrant_client.http.exceptions import UnexpectedResponse

from learningos.kit.vectors import VectorStore
from learningos.retrieval.embeddings import LocalEmbedder
from learningos.retrieval.index import EmbedderMismatch, IndexedSection, SectionIndex, passage_id


class BagOfWords:
    """A fast deterministic stand-in embedder: hashed word counts."""

    def __init__(self, name: str = "fake/bow", dimension: int = 64) -> None:
        self.name, self.dimension = name, dimension
        self.calls: list[int] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        out = []
        for text in texts:
            vec = np.zeros(self.dimension)
            for word in re.findall(r"\w+", text.lower()):
                vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
            out.append((vec / (np.linalg.norm(vec) or 1)).tolist())
        return out


def make_sections(content_id: uuid.UUID, texts: list[str], words: int = 0) -> list[IndexedSection]:
    filler = " ".join(f"filler{i}" for i in range(words))
    return [
        IndexedSection(
            uuid.uuid4(), content_id, f"Section {i}", f"{t} {filler}".strip(), i + 1, i + 1
        )
        for i, t in enumerate(texts)
    ]


@pytest.fixture
async def vectors(tmp_path: Path) -> AsyncIterator[VectorStore]:
    store = VectorStore(None, tmp_path / "qdrant")
    yield store
    await store.close()


async def count(store: VectorStore, **match: str) -> int:
    from qdrant_client import models

    conditions = [
        models.FieldCondition(key=k, match=models.MatchValue(value=v)) for k, v in match.items()
    ]
    result = await store.client.count(
        "content_sections", count_filter=models.Filter(must=conditions)
    )
    return result.count


async def test_collection_records_the_embedder_and_refuses_another(vectors: VectorStore) -> None:
    index = SectionIndex(vectors, BagOfWords())
    await index.ensure_collection()
    info = await vectors.client.get_collection("content_sections")
    assert info.config.metadata == {"embedder": "fake/bow", "dimension": 64}
    assert info.config.params.vectors.distance.value == "Cosine"  # type: ignore[union-attr]
    await index.ensure_collection()  # same model: fine

    other = SectionIndex(vectors, BagOfWords("fake/other", 64))
    with pytest.raises(EmbedderMismatch, match="learningos reindex"):
        await other.search(uuid.uuid4(), "anything")
    await other.recreate()
    info = await vectors.client.get_collection("content_sections")
    assert info.config.metadata["embedder"] == "fake/other"  # type: ignore[index]


async def test_upsert_writes_at_most_100_points_per_request(vectors: VectorStore) -> None:
    index = SectionIndex(vectors, BagOfWords())
    calls: list[int] = []
    real_upsert = vectors.client.upsert

    async def spy(collection_name: str, points: list, **kwargs: object) -> object:
        calls.append(len(points))
        return await real_upsert(collection_name, points, **kwargs)

    vectors.client.upsert = spy  # type: ignore[method-assign]
    content_id = uuid.uuid4()
    # 250 sections of two passages each (about 200 words) = 500 points
    sections = make_sections(content_id, [f"topic{i}" for i in range(250)], words=200)
    progress: list[tuple[int, int]] = []
    await index.upsert(sections, on_progress=lambda done, total: progress.append((done, total)))
    assert sum(calls) == 500 and max(calls) <= 100
    assert progress[-1] == (250, 250) and len(progress) == len(calls)
    assert await count(vectors, content_id=str(content_id)) == 500
    assert max(index.embedder.calls) <= 100  # type: ignore[attr-defined]


async def test_search_is_scoped_to_one_content_item(vectors: VectorStore) -> None:
    index = SectionIndex(vectors, BagOfWords())
    mine, other = uuid.uuid4(), uuid.uuid4()
    await index.upsert(make_sections(mine, ["apples and pears", "trains and buses"]))
    await index.upsert(make_sections(other, ["apples apples apples", "pears pears"]))
    for in_memory in (True, False):
        index.in_memory_search = in_memory
        hits = await index.search(mine, "apples", k=5)
        assert len(hits) == 2 and hits[0].title == "Section 0"
        mine_ids = {h.section_id for h in hits}
        assert all(h.section_id in mine_ids for h in await index.search(mine, "pears", k=5))
        assert not mine_ids & {h.section_id for h in await index.search(other, "apples", k=5)}


async def test_delete_content_removes_its_vectors_only(vectors: VectorStore) -> None:
    index = SectionIndex(vectors, BagOfWords())
    gone, kept = uuid.uuid4(), uuid.uuid4()
    await index.upsert(make_sections(gone, ["alpha", "beta"], words=300))
    await index.upsert(make_sections(kept, ["gamma"]))
    assert await index.search(gone, "alpha")  # loads the in-memory copy
    await index.delete_content(gone)
    assert await count(vectors, content_id=str(gone)) == 0
    assert await count(vectors, content_id=str(kept)) == 1
    assert await index.search(gone, "alpha") == []  # the in-memory copy was dropped too


async def test_reupserting_a_section_replaces_its_passages(vectors: VectorStore) -> None:
    index = SectionIndex(vectors, BagOfWords())
    content_id = uuid.uuid4()
    [long] = make_sections(content_id, ["first version"], words=600)
    await index.upsert([long])
    assert await count(vectors, section_id=str(long.section_id)) == 5
    short = IndexedSection(long.section_id, content_id, "Section 0", "second version", 1, 1)
    await index.upsert([short])
    assert await count(vectors, section_id=str(long.section_id)) == 1
    points = await vectors.client.retrieve("content_sections", [passage_id(long.section_id, 0)])
    assert points[0].payload["pages"] == [1, 1]  # type: ignore[index]


async def test_transient_failures_are_retried(vectors: VectorStore) -> None:
    index = SectionIndex(vectors, BagOfWords(), retry_wait=0.01)
    real_upsert = vectors.client.upsert
    failures = [503, 429]

    async def flaky(collection_name: str, points: list, **kwargs: object) -> object:
        if failures:
            raise UnexpectedResponse(failures.pop(0), "busy", b"", None)  # type: ignore[arg-type]
        return await real_upsert(collection_name, points, **kwargs)

    vectors.client.upsert = flaky  # type: ignore[method-assign]
    content_id = uuid.uuid4()
    await index.upsert(make_sections(content_id, ["one", "two"]))
    assert not failures and await count(vectors, content_id=str(content_id)) == 2

    async def broken(collection_name: str, points: list, **kwargs: object) -> object:
        raise UnexpectedResponse(400, "bad", b"", None)  # type: ignore[arg-type]

    vectors.client.upsert = broken  # type: ignore[method-assign]
    with pytest.raises(UnexpectedResponse):
        await index.upsert(make_sections(content_id, ["three"]))


async def assert_minilm_finds_the_answers(index: SectionIndex) -> None:
    """Real MiniLM vectors: paraphrased questions find the section that answers them, with
    the in-memory search and then with the store's own search."""
    content_id = uuid.uuid4()
    texts = [
        "A histogram shows how often each value appears in a dataset.",
        "The variance is the mean squared deviation from the mean; it measures spread.",
        "Correlation does not imply causation: a third factor may cause both variables.",
        "Kaplan-Meier estimation infers a survival curve from incomplete observations.",
    ]
    await index.upsert(make_sections(content_id, texts))
    hits = await index.search(content_id, "does one thing cause the other if they move together?")
    assert hits[0].title == "Section 2"
    index.in_memory_search = False
    question = "can I estimate how long people survive when some are still alive?"
    assert (await index.search(content_id, question, k=1))[0].title == "Section 3"


async def test_minilm_finds_the_section_that_answers(vectors: VectorStore) -> None:
    await assert_minilm_finds_the_answers(SectionIndex(vectors, LocalEmbedder()))
