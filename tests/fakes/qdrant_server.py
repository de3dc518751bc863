"""A local fake of a Qdrant server's REST API, served over real HTTP for the real qdrant-client.

    from tests.fakes.qdrant_server import FakeQdrant

    with FakeQdrant() as fake:
        client = AsyncQdrantClient(url=fake.url)  # "http://127.0.0.1:PORT"
        fake.fail_next("PUT", "/collections/content_sections/points", times=1)  # one 503
        ...
        assert [r.status for r in fake.requests_to("PUT", "/collections/content_sections/points")]

It implements the endpoints our code reaches through `AsyncQdrantClient(url=...)`, with
in-memory storage and Qdrant's wire format (JSON shapes from qdrant-client's REST models,
status codes and error texts from Qdrant's actix handlers):

    GET    /                                          version (the client checks compatibility)
    GET    /collections                               list
    GET    /collections/{name}                        info: config (vectors, metadata), counts,
                                                      payload_schema
    GET    /collections/{name}/exists
    PUT    /collections/{name}                        create (one unnamed vector; metadata kept)
    DELETE /collections/{name}
    PUT    /collections/{name}/index                  create a payload index
    PUT    /collections/{name}/points                 upsert (`points` list or `batch`)
    POST   /collections/{name}/points                 retrieve by ids
    POST   /collections/{name}/points/delete          by ids or by filter
    POST   /collections/{name}/points/scroll          id order, `offset` inclusive
    POST   /collections/{name}/points/count
    POST   /collections/{name}/points/query           nearest-vector query (real scoring)

Successful answers are `{"result": ..., "status": "ok", "time": ...}`; errors are
`{"status": {"error": "..."}, "time": ...}` with Qdrant's codes: 400 bad input (unknown
fields, bad point ids, wrong vector dimension, NaN), 404 missing collection, 409 existing
collection; a missing or wrong `api-key` gets 401 with a plain-text body, as Qdrant sends it.
Scoring is Qdrant's: Cosine (vectors normalised on upsert, so returned vectors are the
normalised ones), Dot, Euclid and Manhattan (distances, smallest first). Filters support
must / should / must_not / min_should, nested filters, `has_id`, and field conditions with
match (value / any / except), range, is_empty and is_null on dotted keys (arrays match if
any element does). Anything else the fake does not model answers 501, so a test never
passes on a request the fake only pretended to understand.

Fault injection: `fail_next(method, path, times, status)` makes the next `times` requests to
that exact path answer `status` (503 by default) before any other processing; the request
is still recorded. Every request is recorded with its response status.
"""

from __future__ import annotations

import copy
import importlib.metadata
import itertools
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.fakes.threaded import ThreadedServer


def _server_version() -> str:
    """A server version the installed client accepts (same major, same minor)."""
    try:
        major, minor, *_ = importlib.metadata.version("qdrant-client").split(".")
        return f"{major}.{minor}.0"
    except (importlib.metadata.PackageNotFoundError, ValueError):  # pragma: no cover
        return "1.16.0"


SERVER_VERSION = _server_version()
DISTANCES = ("Cosine", "Euclid", "Dot", "Manhattan")
PAYLOAD_TYPES = ("keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid")
AUTH_WHITELIST = ("/", "/healthz")  # Qdrant also whitelists /readyz*, /livez*
MISSING_KEY = "Must provide an API key or an Authorization bearer token"
WRONG_KEY = "Invalid API key or JWT"

# Body fields each request type accepts (Qdrant rejects unknown fields).
_CREATE_COLLECTION = {
    "vectors", "shard_number", "sharding_method", "replication_factor",
    "write_consistency_factor", "on_disk_payload", "hnsw_config", "wal_config",
    "optimizers_config", "quantization_config", "sparse_vectors", "strict_mode_config",
    "metadata", "payload", "id_tracker",
}  # fmt: skip
_VECTOR_PARAMS = {
    "size", "distance", "hnsw_config", "quantization_config", "on_disk", "memory", "datatype",
    "multivector_config",
}  # fmt: skip
_CREATE_INDEX = {"field_name", "field_schema"}
_POINTS_LIST = {"points", "shard_key", "update_filter", "update_mode"}
_POINTS_BATCH = {"batch", "shard_key", "update_filter", "update_mode"}
_POINT = {"id", "vector", "payload"}
_BATCH = {"ids", "vectors", "payloads"}
_SELECTOR_IDS = {"points", "shard_key"}
_SELECTOR_FILTER = {"filter", "shard_key"}
_RETRIEVE = {"shard_key", "ids", "with_payload", "with_vector"}
_SCROLL = {"shard_key", "offset", "limit", "filter", "with_payload", "with_vector", "order_by"}
_COUNT = {"shard_key", "filter", "exact"}
_QUERY = {
    "shard_key", "prefetch", "query", "using", "filter", "params", "score_threshold", "limit",
    "offset", "with_vector", "with_payload", "lookup_from",
}  # fmt: skip
_FILTER = {"should", "min_should", "must", "must_not"}
_FIELD_CONDITION = {
    "key", "match", "range", "geo_bounding_box", "geo_radius", "geo_polygon", "values_count",
    "is_empty", "is_null",
}  # fmt: skip


class QdrantError(Exception):
    """An error answer: HTTP status and Qdrant's `status.error` text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_input(message: str) -> QdrantError:
    return QdrantError(400, f"Wrong input: {message}")


def format_error(message: str) -> QdrantError:
    return QdrantError(400, f"Format error in JSON body: {message}")


def invalid(path: str, message: str) -> QdrantError:
    """A value of the right type that fails validation (Qdrant answers 422)."""
    return QdrantError(422, f"Validation error in JSON body: [{path}: {message}]")


def not_found(name: str) -> QdrantError:
    return QdrantError(404, f"Not found: Collection `{name}` doesn't exist!")


def unsupported(what: str) -> QdrantError:
    return QdrantError(501, f"The fake Qdrant server does not implement {what}")


# -- records -------------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any  # the parsed body; None when empty or not JSON
    status: int = 0  # the response's status code, set once answered
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    method: str
    path: str
    remaining: int
    status: int


@dataclass
class StoredPoint:
    id: int | str
    vector: np.ndarray  # float32; normalised for Cosine
    payload: dict[str, Any]
    version: int


@dataclass
class Collection:
    name: str
    size: int
    distance: str
    params: dict[str, Any]  # the `config.params` answered (vectors, shards, ...)
    hnsw_config: dict[str, Any]
    optimizer_config: dict[str, Any]
    wal_config: dict[str, Any]
    metadata: dict[str, Any] | None
    payload_schema: dict[str, dict[str, Any]] = field(default_factory=dict)
    points: dict[int | str, StoredPoint] = field(default_factory=dict)


# -- the server ----------------------------------------------------------------------------------


class FakeQdrant(ThreadedServer):
    name = "fake Qdrant server"

    """The fake server. `start()`/`stop()` or use as a context manager; `reset()` between tests.

    `api_key`: the key the server requires in the `api-key` header (or `Authorization:
    Bearer`); None (the default) accepts any request, as a Qdrant without a key does.
    """

    def __init__(self, *, api_key: str | None = None) -> None:
        self._initial_api_key = api_key
        self.api_key = api_key
        self._lock = threading.Lock()
        self._collections: dict[str, Collection] = {}
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._operations = itertools.count(1)
        super().__init__()

    # scripting and inspection ----------------------------------------------------------------

    def fail_next(self, method: str, path: str, times: int = 1, status: int = 503) -> FakeQdrant:
        """Answer the next `times` requests `method path` (exact path) with `status`."""
        with self._lock:
            self._faults.append(Fault(method.upper(), path, times, status))
        return self

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy), oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper() and r.path == path]

    def collection_names(self) -> list[str]:
        with self._lock:
            return sorted(self._collections)

    def points(self, collection: str) -> dict[int | str, dict[str, Any]]:
        """A collection's points: id → {"vector": [...], "payload": {...}} (copies)."""
        with self._lock:
            stored = self._collections[collection].points
            return {
                pid: {"vector": p.vector.tolist(), "payload": copy.deepcopy(p.payload)}
                for pid, p in stored.items()
            }

    def count(self, collection: str, **payload: Any) -> int:
        """How many points of the collection have these exact top-level payload values."""
        with self._lock:
            stored = self._collections[collection].points.values()
            return sum(all(p.payload.get(k) == v for k, v in payload.items()) for p in stored)

    def reset(self) -> None:
        """Drop every collection, request record and fault; restore the API key."""
        with self._lock:
            self._collections.clear()
            self._requests.clear()
            self._faults.clear()
            self.api_key = self._initial_api_key

    # lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # HTTP plumbing ---------------------------------------------------------------------------

    def _app(self) -> Starlette:
        c = "/collections/{name}"
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", "/", self._root),
            ("GET", "/collections", self._list_collections),
            ("GET", c, self._get_collection),
            ("GET", c + "/exists", self._collection_exists),
            ("PUT", c, self._create_collection),
            ("DELETE", c, self._delete_collection),
            ("PUT", c + "/index", self._create_index),
            ("PUT", c + "/points", self._upsert),
            ("POST", c + "/points", self._retrieve),
            ("POST", c + "/points/delete", self._delete_points),
            ("POST", c + "/points/scroll", self._scroll),
            ("POST", c + "/points/count", self._count),
            ("POST", c + "/points/query", self._query),
        ]
        by_path: dict[str, dict[str, Callable[..., Any]]] = {}
        for method, path, handler in routes:
            by_path.setdefault(path, {})[method] = handler

        async def unknown(request: Request, exc: Exception) -> Response:
            recorded = await self._record(request)
            recorded.status = getattr(exc, "status_code", 404)
            return Response(b"", status_code=recorded.status)  # actix answers an empty body

        return Starlette(
            routes=[
                Route(path, self._endpoint(handlers), methods=list(handlers))
                for path, handlers in by_path.items()
            ],
            exception_handlers={404: unknown, 405: unknown},
        )

    def _endpoint(
        self, handlers: dict[str, Callable[..., Any]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            recorded = await self._record(request)
            response = self._answer(request, recorded, handlers[request.method], started)
            recorded.status = response.status_code
            return response

        return endpoint

    def _answer(
        self,
        request: Request,
        recorded: RecordedRequest,
        handler: Callable[..., Any],
        started: float,
    ) -> Response:
        def error(status: int, message: str) -> Response:
            body = {"status": {"error": message}, "time": time.perf_counter() - started}
            return JSONResponse(body, status_code=status)

        if recorded.path not in AUTH_WHITELIST:
            with self._lock:
                expected = self.api_key
            if expected is not None:
                given = recorded.headers.get("api-key")
                if given is None and recorded.headers.get("authorization", "").startswith(
                    "Bearer "
                ):
                    given = recorded.headers["authorization"].removeprefix("Bearer ")
                if given is None:
                    return PlainTextResponse(MISSING_KEY, status_code=401)
                if given != expected:
                    return PlainTextResponse(WRONG_KEY, status_code=401)
        with self._lock:
            for fault in self._faults:
                if fault.remaining and (fault.method, fault.path) == (
                    recorded.method,
                    recorded.path,
                ):
                    fault.remaining -= 1
                    return error(
                        fault.status, "Service internal error: injected by the fake server"
                    )
        try:
            body = _parse_json(recorded.body)
            with self._lock:
                result = handler(request.path_params.get("name"), body, recorded.query)
        except QdrantError as exc:
            return error(exc.status, exc.message)
        if recorded.path == "/":
            return JSONResponse(result)
        answer = {"result": result, "status": "ok", "time": time.perf_counter() - started}
        return JSONResponse(answer)

    async def _record(self, request: Request) -> RecordedRequest:
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            json=parsed,
        )
        with self._lock:
            self._requests.append(recorded)
        return recorded

    # handlers (called with the lock held) -------------------------------------------------------

    def _collection(self, name: str) -> Collection:
        found = self._collections.get(name)
        if found is None:
            raise not_found(name)
        return found

    def _update_result(self, query: dict[str, str]) -> dict[str, Any]:
        wait = query.get("wait", "false") == "true"  # Qdrant's default is not to wait
        status = "completed" if wait else "acknowledged"
        return {"operation_id": next(self._operations), "status": status}

    def _root(self, _name: None, _body: Any, _query: dict[str, str]) -> dict[str, Any]:
        return {"title": "qdrant - vector search engine", "version": SERVER_VERSION}

    def _list_collections(self, _name: None, _body: Any, _query: dict[str, str]) -> Any:
        return {"collections": [{"name": name} for name in self._collections]}

    def _collection_exists(self, name: str, _body: Any, _query: dict[str, str]) -> Any:
        return {"exists": name in self._collections}

    def _get_collection(self, name: str, _body: Any, _query: dict[str, str]) -> Any:
        col = self._collection(name)
        config: dict[str, Any] = {
            "params": col.params,
            "hnsw_config": col.hnsw_config,
            "optimizer_config": col.optimizer_config,
            "wal_config": col.wal_config,
            "quantization_config": None,
            "strict_mode_config": {"enabled": False},
        }
        if col.metadata is not None:
            config["metadata"] = col.metadata
        schema = {
            key: {**info, "points": sum(_has_value(p.payload, key) for p in col.points.values())}
            for key, info in col.payload_schema.items()
        }
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": 0,
            "points_count": len(col.points),
            "segments_count": 1,
            "config": config,
            "payload_schema": schema,
        }

    def _create_collection(self, name: str, body: Any, _query: dict[str, str]) -> Any:
        body = _object(body if body is not None else {}, _CREATE_COLLECTION)
        if name in self._collections:
            raise QdrantError(409, f"Wrong input: Collection `{name}` already exists!")
        vectors = body.get("vectors")
        if not isinstance(vectors, dict) or "size" not in vectors:
            raise unsupported("collections without one unnamed dense vector")
        _object(vectors, _VECTOR_PARAMS)
        size, distance = vectors.get("size"), vectors.get("distance")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise format_error(f"invalid value: {size!r}, expected usize")
        if size < 1:
            raise invalid("vectors.size", f"value {size} invalid, must be 1 or larger")
        if distance not in DISTANCES:
            expected = ", ".join(f"`{d}`" for d in DISTANCES)
            raise format_error(f"unknown variant `{distance}`, expected one of {expected}")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise format_error("invalid type for `metadata`, expected a map")
        params: dict[str, Any] = {
            "vectors": {"size": size, "distance": distance},
            "shard_number": body.get("shard_number") or 1,
            "replication_factor": body.get("replication_factor") or 1,
            "write_consistency_factor": body.get("write_consistency_factor") or 1,
            "on_disk_payload": body.get("on_disk_payload", True),
        }
        hnsw: dict[str, Any] = {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000}
        hnsw |= {"max_indexing_threads": 0, "on_disk": False}
        optimizer: dict[str, Any] = {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000}
        optimizer |= {"default_segment_number": 0, "max_segment_size": None}
        optimizer |= {"memmap_threshold": None, "indexing_threshold": 10000}
        optimizer |= {"flush_interval_sec": 5, "max_optimization_threads": None}
        wal = {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1}
        self._collections[name] = Collection(
            name=name,
            size=size,
            distance=distance,
            params=params,
            hnsw_config=hnsw | dict(body.get("hnsw_config") or {}),
            optimizer_config=optimizer | dict(body.get("optimizers_config") or {}),
            wal_config=wal | dict(body.get("wal_config") or {}),
            metadata=copy.deepcopy(metadata),
        )
        return True

    def _delete_collection(self, name: str, _body: Any, _query: dict[str, str]) -> Any:
        return self._collections.pop(name, None) is not None

    def _create_index(self, name: str, body: Any, query: dict[str, str]) -> Any:
        col = self._collection(name)
        body = _object(body, _CREATE_INDEX)
        field_name, schema = body.get("field_name"), body.get("field_schema")
        if not isinstance(field_name, str):
            raise format_error("missing field `field_name`")
        params = None
        if isinstance(schema, dict):
            params, schema = schema, schema.get("type")
        if schema not in PAYLOAD_TYPES:
            raise format_error(f"unknown variant `{schema}` for `field_schema`")
        info: dict[str, Any] = {"data_type": schema}
        if params is not None:
            info["params"] = params
        col.payload_schema[field_name] = info
        return self._update_result(query)

    def _upsert(self, name: str, body: Any, query: dict[str, str]) -> Any:
        col = self._collection(name)
        if isinstance(body, dict) and "batch" in body:
            body = _object(body, _POINTS_BATCH)
            batch = _object(body["batch"], _BATCH)
            ids, vectors = batch.get("ids"), batch.get("vectors")
            payloads = batch.get("payloads")
            if not isinstance(ids, list) or not isinstance(vectors, list):
                raise format_error("missing field `ids` or `vectors`")
            payloads = payloads if payloads is not None else [None] * len(ids)
            if not len(ids) == len(vectors) == len(payloads):
                raise bad_input("number of ids, vectors and payloads must be equal")
            raw = list(zip(ids, vectors, payloads, strict=True))
        else:
            body = _object(body, _POINTS_LIST)
            if not isinstance(body.get("points"), list):
                raise format_error("missing field `points`")
            raw = []
            for point in body["points"]:
                point = _object(point, _POINT)
                if "id" not in point or "vector" not in point:
                    raise format_error("missing field `id` or `vector`")
                raw.append((point["id"], point["vector"], point.get("payload")))
        for key in ("shard_key", "update_filter", "update_mode"):
            if body.get(key) is not None:
                raise unsupported(f"`{key}` in an upsert")
        parsed = []
        for pid, vector, payload in raw:  # validate everything before writing anything
            if payload is not None and not isinstance(payload, dict):
                raise format_error("invalid type for `payload`, expected a map")
            parsed.append((_point_id(pid), self._vector(col, vector), payload or {}))
        result = self._update_result(query)
        for pid, vector, payload in parsed:
            col.points[pid] = StoredPoint(pid, vector, payload, result["operation_id"])
        return result

    def _vector(self, col: Collection, vector: Any) -> np.ndarray:
        if isinstance(vector, dict):  # named vectors: only the unnamed ("") one exists here
            if set(vector) - {""}:
                raise bad_input(f"Not existing vector name error: {sorted(set(vector) - {''})[0]}")
            vector = vector.get("")
        if not isinstance(vector, list) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in vector
        ):
            raise format_error("Expected some form of vector, id, or a type of query")
        if not vector:
            raise invalid("vector", "dense vector must not be empty")
        if len(vector) != col.size:
            raise bad_input(f"Vector dimension error: expected dim: {col.size}, got {len(vector)}")
        array = np.asarray(vector, dtype=np.float32)
        if col.distance == "Cosine":
            norm = float(np.linalg.norm(array))
            if norm > 0:
                array = array / norm
        return array

    def _retrieve(self, name: str, body: Any, _query: dict[str, str]) -> Any:
        col = self._collection(name)
        body = _object(body, _RETRIEVE)
        _no_shard_key(body)
        ids = body.get("ids")
        if not isinstance(ids, list):
            raise format_error("missing field `ids`")
        with_payload = body.get("with_payload", True)
        with_vector = body.get("with_vector", False)
        found = (col.points.get(_point_id(i)) for i in ids)
        return [_record(p, with_payload, with_vector) for p in found if p is not None]

    def _delete_points(self, name: str, body: Any, query: dict[str, str]) -> Any:
        col = self._collection(name)
        if isinstance(body, dict) and "filter" in body:
            body = _object(body, _SELECTOR_FILTER)
            _no_shard_key(body)
            doomed = [p.id for p in col.points.values() if _matches(body["filter"], p)]
        else:
            body = _object(body, _SELECTOR_IDS)
            _no_shard_key(body)
            if not isinstance(body.get("points"), list):
                raise format_error("missing field `points` or `filter`")
            doomed = [_point_id(i) for i in body["points"]]
        for pid in doomed:
            col.points.pop(pid, None)
        return self._update_result(query)

    def _scroll(self, name: str, body: Any, _query: dict[str, str]) -> Any:
        col = self._collection(name)
        body = _object(body if body is not None else {}, _SCROLL)
        _no_shard_key(body)
        if body.get("order_by") is not None:
            raise unsupported("`order_by` in a scroll")
        limit = _limit(body.get("limit"), 10, "limit")
        selected = sorted(
            (p for p in col.points.values() if _matches(body.get("filter"), p)),
            key=lambda p: _id_key(p.id),
        )
        offset = body.get("offset")
        if offset is not None:
            start = _id_key(_point_id(offset))
            selected = [p for p in selected if _id_key(p.id) >= start]
        page, rest = selected[:limit], selected[limit:]
        with_payload = body.get("with_payload", True)
        with_vector = body.get("with_vector", False)
        return {
            "points": [_record(p, with_payload, with_vector) for p in page],
            "next_page_offset": rest[0].id if rest else None,
        }

    def _count(self, name: str, body: Any, _query: dict[str, str]) -> Any:
        col = self._collection(name)
        body = _object(body if body is not None else {}, _COUNT)
        _no_shard_key(body)
        return {"count": sum(_matches(body.get("filter"), p) for p in col.points.values())}

    def _query(self, name: str, body: Any, _query: dict[str, str]) -> Any:
        col = self._collection(name)
        body = _object(body if body is not None else {}, _QUERY)
        _no_shard_key(body)
        for key in ("prefetch", "lookup_from"):
            if body.get(key) is not None:
                raise unsupported(f"`{key}` in a query")
        if body.get("using") not in (None, ""):
            raise bad_input(f"Not existing vector name error: {body['using']}")
        query = body.get("query")
        if isinstance(query, dict) and set(query) == {"nearest"}:
            query = query["nearest"]
        if not isinstance(query, list):
            raise unsupported("queries other than a nearest-vector query")
        vector = self._vector(col, query)
        candidates = [p for p in col.points.values() if _matches(body.get("filter"), p)]
        limit = _limit(body.get("limit"), 10, "internal.limit")
        offset = body.get("offset") or 0
        if not isinstance(offset, int) or offset < 0:
            raise format_error(f"invalid value: {offset!r}, expected usize")
        scores = _scores(col.distance, vector, candidates)
        similarity = col.distance in ("Cosine", "Dot")
        threshold = body.get("score_threshold")
        ranked = sorted(
            zip(scores.tolist(), candidates, strict=True),
            key=lambda sp: (-sp[0] if similarity else sp[0], _id_key(sp[1].id)),
        )
        if threshold is not None:
            ranked = [
                (s, p) for s, p in ranked if (s >= threshold if similarity else s <= threshold)
            ]
        with_payload = body.get("with_payload", False)
        with_vector = body.get("with_vector", False)
        return {
            "points": [
                {"version": p.version, "score": s, **_record(p, with_payload, with_vector)}
                for s, p in ranked[offset : offset + limit]
            ]
        }


# -- helpers -------------------------------------------------------------------------------------


def _parse_json(body: bytes) -> Any:
    """JSON as serde_json reads it: no NaN or Infinity."""
    if not body:
        return None

    def reject(constant: str) -> Any:
        raise format_error(f"expected value, found `{constant}`")

    try:
        return json.loads(body, parse_constant=reject)
    except ValueError as exc:
        raise format_error(str(exc)) from None


def _object(value: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise format_error(f"invalid type: {type(value).__name__}, expected a map")
    extra = sorted(set(value) - allowed)
    if extra:
        expected = ", ".join(f"`{k}`" for k in sorted(allowed))
        raise format_error(f"unknown field `{extra[0]}`, expected one of {expected}")
    return value


def _no_shard_key(body: dict[str, Any]) -> None:
    if body.get("shard_key") is not None:
        raise QdrantError(
            400, "Bad request: Shard key specified, but the collection uses auto sharding"
        )


def _limit(value: Any, default: int, path: str) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise format_error(f"invalid value: {value!r}, expected usize")
    if value < 1:
        raise invalid(path, f"value {value} invalid, must be 1 or larger")
    return value


def _point_id(value: Any) -> int | str:
    """An unsigned integer or a UUID (any form), normalised as Qdrant answers it."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise format_error(
        f"value {value} is not a valid point ID, valid values are either an unsigned "
        "integer or a UUID"
    )


def _id_key(pid: int | str) -> tuple[int, int]:
    """Qdrant's id order: integers first, then UUIDs as 128-bit numbers."""
    return (0, pid) if isinstance(pid, int) else (1, uuid.UUID(pid).int)


def _scores(distance: str, query: np.ndarray, points: list[StoredPoint]) -> np.ndarray:
    if not points:
        return np.zeros(0, dtype=np.float32)
    matrix = np.stack([p.vector for p in points])
    if distance in ("Cosine", "Dot"):  # Cosine: both sides are normalised already
        return (matrix @ query).astype(np.float32)
    if distance == "Euclid":
        return np.sqrt(((matrix - query) ** 2).sum(axis=1)).astype(np.float32)
    return np.abs(matrix - query).sum(axis=1).astype(np.float32)  # Manhattan


def _record(point: StoredPoint, with_payload: Any, with_vector: Any) -> dict[str, Any]:
    if with_vector not in (True, False):
        raise unsupported("named-vector selectors in `with_vector`")
    return {
        "id": point.id,
        "payload": _select_payload(point.payload, with_payload),
        "vector": point.vector.tolist() if with_vector else None,
    }


def _select_payload(payload: dict[str, Any], selector: Any) -> dict[str, Any] | None:
    if selector is True:
        return copy.deepcopy(payload)
    if selector is False or selector is None:
        return None
    if isinstance(selector, list):
        selector = {"include": selector}
    if isinstance(selector, dict) and set(selector) <= {"include", "exclude"}:
        include, exclude = selector.get("include"), selector.get("exclude") or []
        keys = [k for k in payload if (include is None or k in include) and k not in exclude]
        return {k: copy.deepcopy(payload[k]) for k in keys}
    raise format_error("invalid `with_payload` selector")


def _values(payload: dict[str, Any], key: str) -> list[Any]:
    """The values at a dotted key; arrays are flattened (`a[]` or `a` alike)."""
    current: list[Any] = [payload]
    for part in key.split("."):
        name = part.removesuffix("[]")
        found: list[Any] = []
        for item in current:
            if isinstance(item, dict) and name in item:
                found.append(item[name])
        current = list(_flatten(found))
    return current


def _flatten(values: list[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from value
        else:
            yield value


def _has_value(payload: dict[str, Any], key: str) -> bool:
    return any(v is not None for v in _values(payload, key))


def _same(a: Any, b: Any) -> bool:
    """Qdrant's typed equality: a bool never equals a number, an int never a string."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _conditions(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(flt: Any, point: StoredPoint) -> bool:
    if flt is None:
        return True
    flt = _object(flt, _FILTER)
    must = _conditions(flt.get("must"))
    should = _conditions(flt.get("should"))
    must_not = _conditions(flt.get("must_not"))
    if not all(_condition(c, point) for c in must):
        return False
    if any(_condition(c, point) for c in must_not):
        return False
    if should and not any(_condition(c, point) for c in should):
        return False
    min_should = flt.get("min_should")
    if min_should is not None:
        min_should = _object(min_should, {"conditions", "min_count"})
        hits = sum(_condition(c, point) for c in _conditions(min_should.get("conditions")))
        if hits < int(min_should.get("min_count", 0)):
            return False
    return True


def _condition(cond: Any, point: StoredPoint) -> bool:
    if not isinstance(cond, dict):
        raise format_error("Expected some form of condition")
    if set(cond) <= _FILTER and cond:
        return _matches(cond, point)
    if set(cond) == {"has_id"}:
        return point.id in {_point_id(i) for i in cond["has_id"]}
    if set(cond) in ({"is_empty"}, {"is_null"}):
        ((kind, spec),) = cond.items()
        key = _object(spec, {"key"}).get("key")
        return _empty_or_null(kind, point.payload, str(key))
    if "key" not in cond:
        raise unsupported(f"the condition {sorted(cond)}")
    cond = _object(cond, _FIELD_CONDITION)
    key = str(cond["key"])
    values = _values(point.payload, key)
    checks = [k for k in cond if k != "key" and cond[k] is not None]
    if len(checks) != 1:
        raise format_error("a field condition needs exactly one check")
    kind = checks[0]
    if kind == "match":
        return _match(cond["match"], values)
    if kind == "range":
        rng = _object(cond["range"], {"lt", "gt", "gte", "lte"})
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        return any(_in_range(v, rng) for v in numbers)
    if kind in ("is_empty", "is_null"):
        return _empty_or_null(kind, point.payload, key) == bool(cond[kind])
    raise unsupported(f"`{kind}` field conditions")


def _match(match: Any, values: list[Any]) -> bool:
    if not isinstance(match, dict) or len(match) != 1:
        raise format_error("invalid `match`")
    ((kind, expected),) = match.items()
    if kind == "value":
        return any(_same(v, expected) for v in values)
    if kind == "any":
        return any(_same(v, e) for v in values for e in expected)
    if kind == "except":
        return not values or any(not any(_same(v, e) for e in expected) for v in values)
    raise unsupported(f"`match.{kind}`")


def _in_range(value: float, rng: dict[str, Any]) -> bool:
    tests = {
        "lt": lambda b: value < b,
        "gt": lambda b: value > b,
        "lte": lambda b: value <= b,
        "gte": lambda b: value >= b,
    }
    return all(tests[k](b) for k, b in rng.items() if b is not None)


def _empty_or_null(kind: str, payload: dict[str, Any], key: str) -> bool:
    values = _values(payload, key)
    if kind == "is_null":
        return bool(values) and all(v is None for v in values)
    return not [v for v in values if v is not None]


__all__ = ["SERVER_VERSION", "FakeQdrant", "QdrantError", "RecordedRequest"]
