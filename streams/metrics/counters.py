"""The counters and histograms a worker updates while it processes events."""

from __future__ import annotations

import re
from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

# No `_created` series: they are a fifth of every histogram's series and nothing reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

COMPUTE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
LATENCY_BUCKETS = (
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    DAY,
    2 * DAY,
    3 * DAY,
    5 * DAY,
    7 * DAY,
)
"""One minute to one week."""

SOURCE_LABEL = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")
OTHER_SOURCE = "other"
DEFAULT_MAX_SOURCES = 16


class SourceLabels:
    """The ``source`` label of every metric: the lowercased source when it matches
    :data:`SOURCE_LABEL` and is among the first ``limit`` such sources of its tenant, else
    ``other``. Slots go to sources in the order this process first labels them."""

    def __init__(self, limit: int = DEFAULT_MAX_SOURCES) -> None:
        self.limit = limit
        self._named: dict[str, set[str]] = {}
        self._labels: dict[tuple[str, str], str] = {}

    def __call__(self, tenant: str, source: str) -> str:
        """The label of ``source`` for ``tenant`` (a source keeps the label it first got)."""
        label = self._labels.get((tenant, source))
        if label is None:
            label = self._labels[tenant, source] = self._assign(tenant, source)
        return label

    def _assign(self, tenant: str, source: str) -> str:
        label = source.lower()
        if not SOURCE_LABEL.fullmatch(label):
            return OTHER_SOURCE
        named = self._named.setdefault(tenant, set())
        if label in named:
            return label
        if len(named) >= self.limit:
            return OTHER_SOURCE
        named.add(label)
        return label


Metric = TypeVar("Metric", Counter, Histogram)


class Children(Generic[Metric]):
    """The children of a labelled metric, each looked up in the client once."""

    def __init__(self, metric: Metric) -> None:
        self.metric: Metric = metric
        self._children: dict[tuple[str, ...], Metric] = {}

    def __call__(self, *values: str) -> Metric:
        """The child of these label values."""
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self.metric.labels(*values)
        return child


class WorkerMetrics:
    """The counters and histograms a worker updates while processing events."""

    def __init__(
        self, registry: CollectorRegistry, max_sources_per_tenant: int = DEFAULT_MAX_SOURCES
    ) -> None:
        self.registry = registry
        self.source_label = SourceLabels(max_sources_per_tenant)
        """Maps a tenant's event source to its ``source`` label (every metric uses it)."""
        self.processed = Counter(
            "orgpulse_events_processed",
            "Valid events applied",
            ["tenant", "source"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "orgpulse_events_dead_lettered",
            "Records sent to the dead-letter topic",
            ["reason"],
            registry=registry,
        )
        self.duplicate = Counter(
            "orgpulse_events_duplicate",
            "Re-delivered events ignored",
            ["tenant"],
            registry=registry,
        )
        self.late = Counter(
            "orgpulse_events_late",
            "Events older than the oldest kept bucket",
            ["tenant"],
            registry=registry,
        )
        self.broadcast = Counter(
            "orgpulse_events_broadcast",
            "Events with more than max_targets targets, kept out of the graph",
            ["tenant"],
            registry=registry,
        )
        self.graph_compute = Histogram(
            "orgpulse_graph_compute_seconds",
            "Time to refresh a window's team metrics",
            ["tenant", "window"],
            registry=registry,
            buckets=COMPUTE_BUCKETS,
        )
        self.latency = Histogram(
            "orgpulse_response_latency_seconds",
            "Time from a request to its first response (requester's team; scope within/cross)",
            ["tenant", "source", "scope", "team"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.requests = Counter(
            "orgpulse_requests", "Requests opened", ["tenant", "source", "team"], registry=registry
        )
        self.unanswered = Counter(
            "orgpulse_requests_unanswered",
            "Requests without a response within the response horizon",
            ["tenant", "source", "team"],
            registry=registry,
        )
        self.artifact_crossing = Histogram(
            "orgpulse_artifact_cross_team_seconds",
            "Time from an artifact's first share until it reaches another team",
            ["tenant"],
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        # the per-event metrics, looked up once per label values
        self.request_counts = Children(self.requests)
        self.latencies = Children(self.latency)
        self.unanswered_counts = Children(self.unanswered)
        self.crossings = Children(self.artifact_crossing)
