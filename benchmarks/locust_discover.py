"""Locust scenario for `benchmarks/discover.py`: GET /api/v1/content/discover as a guest,
with and without a search, under several orders and filters (equal weights).

BENCH_WAIT_MAX seconds of think time between requests (0 = closed loop, no pause);
BENCH_WORDS: comma-separated search words that occur in the seeded catalogue.
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, between, constant, task

WAIT_MAX = float(os.environ.get("BENCH_WAIT_MAX", "0"))
WORDS = os.environ.get("BENCH_WORDS", "memory,algebra").split(",")
URL = "/api/v1/content/discover"


class Browser(FastHttpUser):
    wait_time = between(WAIT_MAX / 2, WAIT_MAX) if WAIT_MAX > 0 else constant(0)

    def _get(self, name: str, query: str) -> None:
        self.client.get(f"{URL}?{query}", name=name)

    @task
    def popular(self) -> None:
        self._get("popular (default)", f"page={random.randint(1, 5)}")

    @task
    def new(self) -> None:
        self._get("sort=new", "sort=new")

    @task
    def rating_paid(self) -> None:
        self._get("kind=paid&sort=rating", "kind=paid&sort=rating")

    @task
    def price_category(self) -> None:
        self._get("category&sort=price", "category=science&sort=price")

    @task
    def search(self) -> None:
        self._get("q (relevance)", f"q={random.choice(WORDS)}")

    @task
    def search_popular(self) -> None:
        self._get("q&sort=popular", f"q={random.choice(WORDS)}&sort=popular")
