"""Prometheus metrics for GET /metrics (off unless PORCHLIGHT_METRICS is true).

Requests by type and outcome, a latency histogram, and store errors. Under gunicorn each
worker is its own process: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by the
workers (see docs/deploying.md) and every scrape sums all of them; without it a scrape sees
only the worker that answered it.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Alexa gives up after 8 s; the store's timeouts are about 1 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
OTHER = "other"


class Metrics:
    """One app's metrics. Label values come from fixed sets, never from request text."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, request_types: frozenset[str], outcomes: frozenset[str]) -> None:
        self.request_types = request_types
        self.outcomes = outcomes
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_VARIABLE))
        # In multiprocess mode values live in files and a fresh registry collects them.
        self.registry = None if self.multiprocess else CollectorRegistry()
        self.requests = Counter(
            "porchlight_requests", "Alexa requests answered, by request type and outcome.",
            ("request_type", "outcome"), registry=self.registry,
        )
        self.latency = Histogram(
            "porchlight_request_latency_seconds", "Time to answer an Alexa request.",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.store_errors = Counter(
            "porchlight_store_errors", "Household store failures, by where they were seen.",
            ("where",), registry=self.registry,
        )

    def observe_request(self, request_type: str | None, outcome: str, seconds: float) -> None:
        kind = request_type if request_type in self.request_types else OTHER
        self.requests.labels(kind, outcome if outcome in self.outcomes else OTHER).inc()
        self.latency.observe(seconds)

    def observe_store_error(self, where: str) -> None:
        self.store_errors.labels(where).inc()

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric (of every worker, in multiprocess mode)."""
        if self.registry is not None:
            return bytes(generate_latest(self.registry))
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(registry))
