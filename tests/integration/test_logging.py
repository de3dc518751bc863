from __future__ import annotations

import io
import json
import logging

from tests.conftest import register


async def test_every_log_line_is_json_with_the_request_id(client):
    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    try:
        response = await register(client)
    finally:
        root.removeHandler(handler)
    request_id = response.headers["x-request-id"]
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    events = {line["event"] for line in lines}
    assert {"auth.register", "http.request"} <= events
    for line in lines:
        if line["event"] in ("auth.register", "http.request"):
            assert line["request_id"] == request_id
            assert line["timestamp"].endswith("Z") and line["level"] == "info"
    access = next(line for line in lines if line["event"] == "http.request")
    assert access["status"] == 201 and access["path"] == "/api/v1/auth/register"
    assert "correct horse battery" not in buffer.getvalue(), "passwords never reach the logs"
