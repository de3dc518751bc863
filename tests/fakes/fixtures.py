"""Pytest fixtures for the fakes. Import them explicitly in a test module:

from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.fixtures import fake_qdrant  # noqa: F401
from tests.fakes.fixtures import fake_paddle  # noqa: F401
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.paddle_server import FakePaddle
from tests.fakes.qdrant_server import FakeQdrant

_lock = threading.Lock()
_shared: FakeOpenAI | None = None


def _shared_server(config: pytest.Config) -> FakeOpenAI:
    """One server for the whole run, started on first use and stopped when pytest finishes."""
    global _shared
    with _lock:
        if _shared is None:
            server = FakeOpenAI().start()
            config.add_cleanup(server.stop)
            _shared = server

            def forget() -> None:
                global _shared
                _shared = None

            config.add_cleanup(forget)
        return _shared


@pytest.fixture
def fake_openai(request: pytest.FixtureRequest) -> Iterator[FakeOpenAI]:
    """The shared fake OpenAI server with an empty queue, no recorded requests, key "test-key"
    and the default reply; reset again after the test."""
    server = _shared_server(request.config)
    server.reset()
    yield server
    server.reset()


_shared_qdrant: FakeQdrant | None = None


@pytest.fixture
def fake_qdrant(request: pytest.FixtureRequest) -> Iterator[FakeQdrant]:
    """The shared fake Qdrant server (started on first use, stopped when pytest finishes),
    with no collections, records, faults or API key; reset again after the test."""
    global _shared_qdrant
    with _lock:
        if _shared_qdrant is None:
            server = FakeQdrant().start()
            request.config.add_cleanup(server.stop)
            _shared_qdrant = server

            def forget() -> None:
                global _shared_qdrant
                _shared_qdrant = None

            request.config.add_cleanup(forget)
        server = _shared_qdrant
    server.reset()
    yield server
    server.reset()


_shared_paddle: FakePaddle | None = None


@pytest.fixture
def fake_paddle(request: pytest.FixtureRequest) -> Iterator[FakePaddle]:
    """The shared fake Paddle API (started on first use, stopped when pytest finishes), with an
    empty queue, no recorded requests and the default key; reset again after the test."""
    global _shared_paddle
    with _lock:
        if _shared_paddle is None:
            server = FakePaddle().start()
            request.config.add_cleanup(server.stop)
            _shared_paddle = server

            def forget() -> None:
                global _shared_paddle
                _shared_paddle = None

            request.config.add_cleanup(forget)
        server = _shared_paddle
    server.reset()
    yield server
    server.reset()
