"""Locust scenario: liveness and an authenticated GET /api/v1/me.

The bearer token comes from BENCH_TOKEN (load.py signs a user in first).
BENCH_WAIT_MAX seconds of think time between requests (0 = closed loop, no pause).
"""

from __future__ import annotations

import os

from locust import FastHttpUser, between, constant, tag, task

WAIT_MAX = float(os.environ.get("BENCH_WAIT_MAX", "0"))


class Learner(FastHttpUser):
    wait_time = between(WAIT_MAX / 2, WAIT_MAX) if WAIT_MAX > 0 else constant(0)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {os.environ['BENCH_TOKEN']}"}

    @tag("health")
    @task
    def health(self) -> None:
        self.client.get("/health", name="GET /health")

    @tag("me")
    @task
    def me(self) -> None:
        self.client.get("/api/v1/me", headers=self.headers, name="GET /api/v1/me")
