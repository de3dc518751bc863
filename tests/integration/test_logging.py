from __future__ import annotations

from tests.conftest import register


async def test_every_log_line_is_json_with_the_request_id(client, captured_logs):
    response = await register(client)
    request_id = response.headers["x-request-id"]
    lines = captured_logs()
    events = {line["event"] for line in lines}
    assert {"auth.register", "http.request"} <= events
    for line in lines:
        if line["event"] in ("auth.register", "http.request"):
            assert line["request_id"] == request_id
            assert line["timestamp"].endswith("Z") and line["level"] == "info"
    access = next(line for line in lines if line["event"] == "http.request")
    assert access["status"] == 201 and access["path"] == "/api/v1/auth/register"
    assert "correct horse battery" not in captured_logs.text(), "passwords never reach the logs"
