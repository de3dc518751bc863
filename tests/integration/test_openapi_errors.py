"""The OpenAPI document lists the error statuses every JSON API operation can answer, in the
error shape, so clients (and the schemathesis run in .ci/run) can rely on it."""

from __future__ import annotations


async def test_every_api_operation_documents_its_error_statuses(client):
    schema = (await client.get("/openapi.json")).json()
    missing = []
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            for status in ("401", "404", "409", "422", "429"):
                if status not in operation["responses"]:
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing, missing
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
