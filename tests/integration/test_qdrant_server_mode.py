"""The section index in server mode (`LEARNINGOS_QDRANT_URL`): our real VectorStore and
SectionIndex, through qdrant-client's REST client, against a fake Qdrant server that speaks
Qdrant's wire format (tests/fakes/qdrant_server.py). Then the app end to end with a
`qdrant_url`: upload → index → search → reindex → delete.

These run in both CI passes: the index tests need no database, the end-to-end test runs on
whichever database and queue the pass provides (PostgreSQL + Redis is the production setup).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from qdrant_client.http.exceptions import UnexpectedResponse
from sqlalchemy import select

from learningos.app import create_app
from learningos.content.reindex import reindex_all
from learningos.kit.vectors import VectorStore
from learningos.models.jobs import Job
from learningos.retrieval.embeddings import LocalEmbedder
from learningos.retrieval.index import EmbedderMismatch, IndexedSection, SectionIndex, passage_id
from learningos.services import Services
from tests.conftest import bearer, eventually, make_settings, signed_in
from tests.fakes.fixtures import fake_qdrant  # noqa: F401
from tests.fakes.qdrant_server import FakeQdrant
from tests.integration.test_content import NOTES, processed, upload
from tests.integration.test_retrieval_index import (
    BagOfWords,
    assert_minilm_finds_the_answers,
    make_sections,
)

COLLECTION = "/collections/content_sections"
POINTS = f"{COLLECTION}/points"
INSECURE_KEY_WARNING = "ignore:Api key is used with an insecure connection"


@pytest.fixture
async def store(
    fake_qdrant: FakeQdrant,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[VectorStore]:
    vectors = VectorStore(fake_qdrant.url, tmp_path / "qdrant")
    yield vectors
    await vectors.close()


async def other_process(fake: FakeQdrant, tmp_path: Path, **kwargs: object) -> VectorStore:
    """A second connection to the same server, as another web worker or the job worker has."""
    return VectorStore(fake.url, tmp_path / f"other-{uuid.uuid4().hex}", **kwargs)  # type: ignore[arg-type]


def upserted(fake: FakeQdrant) -> list[int]:
    """The number of points in each successful upsert request, in order."""
    return [len(r.json["points"]) for r in fake.requests_to("PUT", POINTS) if r.status == 200]


# -- the collection ----------------------------------------------------------------------------


async def test_ensure_collection_creates_a_cosine_collection_recording_the_embedder(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords())
    assert index.in_memory_search is False  # a server searches with its own filtered query
    await index.ensure_collection()

    [create] = fake_qdrant.requests_to("PUT", COLLECTION)
    assert create.json == {
        "vectors": {"size": 64, "distance": "Cosine"},
        "metadata": {"embedder": "fake/bow", "dimension": 64},
    }
    indexes = [r.json for r in fake_qdrant.requests_to("PUT", f"{COLLECTION}/index")]
    assert indexes == [
        {"field_name": "content_id", "field_schema": "keyword"},
        {"field_name": "section_id", "field_schema": "keyword"},
    ]
    info = await store.client.get_collection("content_sections")  # parsed by the real client
    assert info.config.metadata == {"embedder": "fake/bow", "dimension": 64}
    assert info.config.params.vectors.size == 64  # type: ignore[union-attr]
    assert info.config.params.vectors.distance.value == "Cosine"  # type: ignore[union-attr]
    assert set(info.payload_schema) == {"content_id", "section_id"}
    assert not store.path.exists()  # server mode never opens the local folder

    again = SectionIndex(store, BagOfWords())  # e.g. after a restart: same model, no create
    await again.ensure_collection()
    assert len(fake_qdrant.requests_to("PUT", COLLECTION)) == 1
    await store.ping()
    assert fake_qdrant.requests_to("GET", "/collections")[-1].status == 200


async def test_another_embedder_is_refused_until_the_collection_is_recreated(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
    tmp_path: Path,
) -> None:
    index = SectionIndex(store, BagOfWords())
    content_id = uuid.uuid4()
    await index.upsert(make_sections(content_id, ["alpha", "beta"]))

    other_store = await other_process(fake_qdrant, tmp_path)
    other = SectionIndex(other_store, BagOfWords("fake/other", 64))
    try:
        with pytest.raises(EmbedderMismatch, match="learningos reindex") as refused:
            await other.search(content_id, "alpha")
        assert refused.value.code == "index_model_mismatch" and refused.value.status_code == 503
        with pytest.raises(EmbedderMismatch):
            await other.upsert(make_sections(content_id, ["gamma"]))
        assert fake_qdrant.count("content_sections") == 2  # nothing written by the refused one

        await other.recreate()
        assert fake_qdrant.requests_to("DELETE", COLLECTION)[-1].status == 200
        info = await other_store.client.get_collection("content_sections")
        assert info.config.metadata == {"embedder": "fake/other", "dimension": 64}
        assert fake_qdrant.count("content_sections") == 0
    finally:
        await other_store.close()


async def test_a_collection_created_by_another_process_meanwhile_is_accepted(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two processes start on an empty server: both see no collection, both create it, and
    Qdrant answers the second `409 Conflict`. The loser checks the winner's embedder."""
    winner_store = await other_process(fake_qdrant, tmp_path)
    try:
        for winner_embedder, refused in ((BagOfWords(), False), (BagOfWords("fake/x", 64), True)):
            fake_qdrant.reset()
            winner = SectionIndex(winner_store, winner_embedder)
            loser = SectionIndex(store, BagOfWords())
            real_exists = store.client.collection_exists

            async def exists_then_lose_the_race(name: str, **kwargs: object) -> bool:
                found = await real_exists(name, **kwargs)
                await winner.ensure_collection()  # noqa: B023 - called within this iteration
                return found

            store.client.collection_exists = exists_then_lose_the_race  # type: ignore[method-assign]
            try:
                if refused:
                    with pytest.raises(EmbedderMismatch):
                        await loser.ensure_collection()
                else:
                    await loser.ensure_collection()
                    await loser.upsert(make_sections(uuid.uuid4(), ["alpha"]))
            finally:
                del store.client.collection_exists
            statuses = [r.status for r in fake_qdrant.requests_to("PUT", COLLECTION)]
            assert statuses == [200, 409]
    finally:
        await winner_store.close()


# -- writes ------------------------------------------------------------------------------------


async def test_upsert_sends_at_most_100_points_per_request(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords())
    content_id = uuid.uuid4()
    # 250 sections of two passages each (about 200 words) = 500 points
    sections = make_sections(content_id, [f"topic{i}" for i in range(250)], words=200)
    progress: list[tuple[int, int]] = []
    await index.upsert(sections, on_progress=lambda done, total: progress.append((done, total)))

    sizes = upserted(fake_qdrant)
    assert sum(sizes) == 500 and max(sizes) <= 100 and len(sizes) == 5
    assert all(r.query == {"wait": "true"} for r in fake_qdrant.requests_to("PUT", POINTS))
    assert progress[-1] == (250, 250) and len(progress) == len(sizes)
    assert fake_qdrant.count("content_sections", content_id=str(content_id)) == 500

    first = sections[0]
    stored = fake_qdrant.points("content_sections")
    assert set(stored) == {passage_id(s.section_id, n) for s in sections for n in (0, 1)}
    assert stored[str(first.section_id)]["payload"] == {
        "content_id": str(content_id),
        "section_id": str(first.section_id),
        "title": "Section 0",
        "page_start": 1,
        "page_end": 1,
        "pages": [1, 1],
        "passage": 0,
    }
    # each group's earlier passages are deleted first, by a section_id filter
    deletes = fake_qdrant.requests_to("POST", f"{POINTS}/delete")
    assert len(deletes) == 5
    assert deletes[0].json["filter"]["must"][0]["key"] == "section_id"
    assert len(deletes[0].json["filter"]["must"][0]["match"]["any"]) == 50


async def test_reupserting_a_section_replaces_its_passages(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords())
    content_id = uuid.uuid4()
    [long] = make_sections(content_id, ["first version"], words=600)
    await index.upsert([long])
    assert fake_qdrant.count("content_sections", section_id=str(long.section_id)) == 5
    short = IndexedSection(long.section_id, content_id, "Section 0", "second version", 2, 3)
    await index.upsert([short])
    assert fake_qdrant.count("content_sections", section_id=str(long.section_id)) == 1
    points = await store.client.retrieve("content_sections", [passage_id(long.section_id, 0)])
    assert points[0].payload["pages"] == [2, 3]  # type: ignore[index]


async def test_transient_server_errors_are_retried_and_bad_requests_are_not(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords(), retry_wait=0.01)
    await index.ensure_collection()
    content_id = uuid.uuid4()
    fake_qdrant.fail_next("PUT", POINTS, times=2, status=503)
    fake_qdrant.fail_next("POST", f"{POINTS}/delete", times=1, status=502)
    await index.upsert(make_sections(content_id, ["one", "two"]))
    assert [r.status for r in fake_qdrant.requests_to("PUT", POINTS)] == [503, 503, 200]
    assert [r.status for r in fake_qdrant.requests_to("POST", f"{POINTS}/delete")] == [502, 200]
    assert fake_qdrant.count("content_sections", content_id=str(content_id)) == 2

    fake_qdrant.fail_next("POST", f"{POINTS}/delete", times=1, status=503)
    await index.delete_content(content_id)
    assert fake_qdrant.count("content_sections") == 0

    fake_qdrant.fail_next("PUT", POINTS, times=1, status=400)
    before = len(fake_qdrant.requests_to("PUT", POINTS))
    with pytest.raises(UnexpectedResponse) as failed:
        await index.upsert(make_sections(content_id, ["three"]))
    assert failed.value.status_code == 400
    assert len(fake_qdrant.requests_to("PUT", POINTS)) == before + 1  # not retried


async def test_vectors_of_the_wrong_dimension_are_rejected_by_the_server(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    """An embedder whose vectors do not match the recorded dimension fails loudly (400)."""

    class Truncating(BagOfWords):
        def embed(self, texts: list[str]) -> list[list[float]]:
            return [vector[:32] for vector in super().embed(texts)]

    index = SectionIndex(store, Truncating(), retry_wait=0.01)  # claims 64, embeds 32
    with pytest.raises(UnexpectedResponse) as failed:
        await index.upsert(make_sections(uuid.uuid4(), ["one"]))
    assert failed.value.status_code == 400
    assert b"expected dim: 64, got 32" in failed.value.content


# -- reads -------------------------------------------------------------------------------------


async def test_search_is_scoped_to_one_content_item(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords())
    mine, other = uuid.uuid4(), uuid.uuid4()
    await index.upsert(make_sections(mine, ["apples and pears", "trains and buses"]))
    await index.upsert(make_sections(other, ["apples apples apples", "pears pears"]))

    hits = await index.search(mine, "apples", k=5)
    assert [h.title for h in hits] == ["Section 0", "Section 1"]
    assert hits[0].score > hits[1].score and hits[0].page_start == 1
    mine_ids = {h.section_id for h in hits}
    assert {h.section_id for h in await index.search(mine, "pears", k=5)} <= mine_ids
    theirs = await index.search(other, "apples", k=5)
    assert theirs and not mine_ids & {h.section_id for h in theirs}

    query = fake_qdrant.requests_to("POST", f"{POINTS}/query")[-1].json
    assert query["filter"] == {"must": [{"key": "content_id", "match": {"value": str(other)}}]}
    assert query["limit"] == 64 and query["with_payload"] is True
    assert not fake_qdrant.requests_to("POST", f"{POINTS}/scroll")  # no in-memory copy


async def test_the_in_memory_mode_pages_through_scroll(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords(), in_memory_search=True)
    content_id = uuid.uuid4()
    # 550 sections × 2 passages = 1,100 points: two scroll pages of at most 1,000
    texts = [f"topic{i}" for i in range(549)] + ["zebra crossing"]
    await index.upsert(make_sections(content_id, texts, words=200))
    hits = await index.search(content_id, "zebra crossing", k=3)
    assert hits[0].title == "Section 549"
    scrolls = fake_qdrant.requests_to("POST", f"{POINTS}/scroll")
    assert [len(r.json.get("offset") or "") > 0 for r in scrolls] == [False, True]
    server = SectionIndex(store, BagOfWords())  # the server's query ranks it first too
    assert (await server.search(content_id, "zebra crossing", k=3))[0].title == "Section 549"


async def test_minilm_finds_the_section_that_answers(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, LocalEmbedder())
    await assert_minilm_finds_the_answers(index)
    [create] = fake_qdrant.requests_to("PUT", COLLECTION)
    assert create.json["vectors"]["size"] == index.embedder.dimension == 384


async def test_delete_content_removes_its_points_only(
    store: VectorStore,
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    index = SectionIndex(store, BagOfWords())
    gone, kept = uuid.uuid4(), uuid.uuid4()
    await index.upsert(make_sections(gone, ["alpha", "beta"], words=300))
    await index.upsert(make_sections(kept, ["gamma"]))
    assert fake_qdrant.count("content_sections", content_id=str(gone)) == 6
    assert await index.search(gone, "alpha")
    await index.delete_content(gone)
    delete = fake_qdrant.requests_to("POST", f"{POINTS}/delete")[-1].json
    assert delete == {"filter": {"must": [{"key": "content_id", "match": {"value": str(gone)}}]}}
    assert fake_qdrant.count("content_sections", content_id=str(gone)) == 0
    assert fake_qdrant.count("content_sections", content_id=str(kept)) == 1
    assert await index.search(gone, "alpha") == []
    assert [h.title for h in await index.search(kept, "gamma")] == ["Section 0"]


@pytest.mark.filterwarnings(INSECURE_KEY_WARNING)
async def test_the_api_key_is_sent_on_every_request(
    fake_qdrant: FakeQdrant,  # noqa: F811
    tmp_path: Path,
) -> None:
    fake_qdrant.api_key = "s3cret"
    keyed = await other_process(fake_qdrant, tmp_path, api_key="s3cret")
    wrong = await other_process(fake_qdrant, tmp_path, api_key="wrong")
    keyless = await other_process(fake_qdrant, tmp_path)
    try:
        index = SectionIndex(keyed, BagOfWords())
        content_id = uuid.uuid4()
        await index.upsert(make_sections(content_id, ["alpha"]))
        assert [h.title for h in await index.search(content_id, "alpha")] == ["Section 0"]
        api = [r for r in fake_qdrant.requests if r.path != "/"]
        assert api and all(r.headers.get("api-key") == "s3cret" for r in api)
        assert all(r.status == 200 for r in api)
        for store in (wrong, keyless):
            with pytest.raises(UnexpectedResponse) as refused:
                await SectionIndex(store, BagOfWords()).search(content_id, "alpha")
            assert refused.value.status_code == 401
    finally:
        for store in (keyed, wrong, keyless):
            await store.close()


# -- the app, end to end -----------------------------------------------------------------------


@pytest.fixture
async def server_mode(
    services: Services,  # the shared services: its fixture cleans the database after the test
    database_url: str,
    redis_url: str | None,
    fake_qdrant: FakeQdrant,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    """The app on this run's database (and Redis when set) with `qdrant_url` → the fake."""
    settings = make_settings(tmp_path / "data", database_url, redis_url, qdrant_url=fake_qdrant.url)
    svc = Services.build(settings)
    await svc.start()
    try:
        app = create_app(settings, svc)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield svc, c
    finally:
        await svc.stop()


async def run_queued(svc: Services, name: str) -> None:
    """In the Redis run no worker consumes the queue: run the named jobs in this process."""
    if not svc.settings.redis_url:
        return
    async with svc.db.transaction() as session:
        queued = await session.scalars(select(Job).where(Job.name == name, Job.status == "queued"))
        ids = [row.id for row in queued]
    for job_id in ids:
        await svc.queue.run(job_id)


async def test_upload_search_reindex_and_delete_against_a_qdrant_server(
    server_mode: tuple[Services, httpx.AsyncClient],
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    svc, client = server_mode
    assert svc.vectors.url == fake_qdrant.url and "local Qdrant folder" not in (
        svc.settings.process_local_stores
    )
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["vector_store"]["ok"]

    tokens = await signed_in(client)
    response = await upload(client, tokens, "photosynthesis.md", NOTES, title="Bio notes")
    assert response.status_code == 201, response.text
    content_id = response.json()["content"]["id"]
    status = await processed(client, svc, tokens, content_id)
    assert status["status"] == "ready", status
    indexed = fake_qdrant.count("content_sections", content_id=content_id)
    assert indexed >= 3

    async def search(q: str) -> list[dict]:
        found = await client.get(
            f"/api/v1/content/{content_id}/search", params={"q": q}, headers=bearer(tokens)
        )
        assert found.status_code == 200, found.text
        return list(found.json()["hits"])

    hits = await search("which enzyme grabs CO2 to make sugar?")
    assert hits and hits[0]["title"] == "The Calvin cycle" and "RuBisCO" in hits[0]["snippet"]
    query = fake_qdrant.requests_to("POST", f"{POINTS}/query")[-1].json
    assert query["filter"]["must"][0]["match"] == {"value": content_id}
    assert not fake_qdrant.requests_to("POST", f"{POINTS}/scroll")

    assert await reindex_all(svc) == 1  # `learningos reindex`: drop, recreate, re-embed
    assert fake_qdrant.requests_to("DELETE", COLLECTION)[-1].status == 200
    assert len(fake_qdrant.requests_to("PUT", COLLECTION)) == 2
    assert fake_qdrant.count("content_sections", content_id=content_id) == indexed
    assert (await search("Calvin cycle enzyme"))[0]["title"] == "The Calvin cycle"

    deleted = await client.delete(f"/api/v1/content/{content_id}", headers=bearer(tokens))
    assert deleted.status_code == 204
    await run_queued(svc, "content.purge")

    async def purged() -> bool:
        return fake_qdrant.count("content_sections", content_id=content_id) == 0

    await eventually(purged)
    last = fake_qdrant.requests_to("POST", f"{POINTS}/delete")[-1]
    assert last.json == {
        "filter": {"must": [{"key": "content_id", "match": {"value": content_id}}]}
    }


async def test_readiness_reads_the_collection_not_only_the_list(
    server_mode: tuple[Services, httpx.AsyncClient],
    fake_qdrant: FakeQdrant,  # noqa: F811
) -> None:
    svc, client = server_mode
    await svc.index.ensure_collection()
    assert (await client.get("/health/ready")).status_code == 200
    # Listing collections still works; reading the one searches use does not.
    fake_qdrant.fail_next("POST", "/collections/content_sections/points/count")
    ready = await client.get("/health/ready")
    assert ready.status_code == 503, ready.text
    assert ready.json()["failed"] == ["vector_store"]
