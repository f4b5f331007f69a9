"""The metric names the worker really exposes: a WorkerMetrics registry with one observation
per metric plus a SnapshotCollector rendered over fake snapshot data."""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric

from streams.metrics.collector import SnapshotCollector
from streams.metrics.counters import WorkerMetrics

METRIC_NAME = re.compile(r"orgpulse_[a-z_]+")
TENANT = "acme"


class FakeSource:
    """A worker runtime with one tenant, one window and values for every gauge."""

    def __init__(self) -> None:
        team = {
            "members": 8,
            "internal": 10,
            "external": 5,
            "ei_index": -0.5,
            "partner_teams": 2,
            "bridge_concentration": 0.6,
            "siloed": True,
        }
        snapshot: dict[str, Any] = {
            "org": {"people": 40, "pairs": 90, "modularity": 0.3, "reciprocity": 0.5},
            "teams": {"payments": team},
            "flow": [{"src": "payments", "dst": "search", "weight": 3.0}],
        }
        self.snapshots: dict[str, dict[str, dict[str, Any]]] = {TENANT: {"7d": snapshot}}
        self.hidden_silos: dict[str, dict[str, int]] = {TENANT: {"7d": 1}}
        self.open_requests: dict[str, dict[tuple[str, str], int]] = {
            TENANT: {("payments", "lt_1h"): 2}
        }
        self.knowledge: dict[str, dict[str, Any]] = {
            TENANT: {
                "top_stale_pairs": [{"src": "search", "dst": "payments", "median_seconds": 60.0}],
                "out_of_date": {"payments": 120.0},
            }
        }

    def watermarks(self) -> dict[str, int]:
        """Newest event time per tenant."""
        return {TENANT: 1_767_225_600_000}

    def checkpoint_lags(self) -> dict[str, int]:
        """Events since the last checkpoint per tenant."""
        return {TENANT: 1_500}


def _observe_each(metrics: WorkerMetrics) -> None:
    metrics.processed.labels(TENANT, "slack").inc()
    metrics.dead_lettered.labels("undecodable").inc()
    metrics.duplicate.labels(TENANT).inc()
    metrics.late.labels(TENANT).inc()
    metrics.broadcast.labels(TENANT).inc()
    metrics.graph_compute.labels(TENANT, "7d").observe(0.01)
    metrics.latency.labels(TENANT, "slack", "cross_team", "payments").observe(120.0)
    metrics.requests.labels(TENANT, "slack", "payments").inc()
    metrics.unanswered.labels(TENANT, "slack", "payments").inc()
    metrics.artifact_crossing.labels(TENANT).observe(3600.0)


def exported_families() -> list[Metric]:
    """Every metric family the worker's registry exposes, with samples."""
    registry = CollectorRegistry()
    _observe_each(WorkerMetrics(registry))
    registry.register(SnapshotCollector(FakeSource(), "7d", top_k=10))
    return list(registry.collect())


def exported_names() -> set[str]:
    """Every sample name on /metrics (``_total``, ``_bucket``, ``_count``, ``_sum``
    included)."""
    return {sample.name for family in exported_families() for sample in family.samples}


def unknown_metrics(expr: str, exported: set[str]) -> set[str]:
    """The ``orgpulse_*`` names in ``expr`` that are not exported."""
    return set(METRIC_NAME.findall(expr)) - exported
