"""The ``source`` label: a safe pattern and a bounded number of names per tenant, the same
for every metric that carries it."""

from __future__ import annotations

from analytics.strategies import CONFIG, event
from prometheus_client import CollectorRegistry, generate_latest
from support.expected import PROCESSED, counter_by

from streams.engine.runtime import Runtime
from streams.metrics.counters import OTHER_SOURCE, SourceLabels, WorkerMetrics
from streams.model import Interaction

SOURCE_METRICS = (
    PROCESSED,
    "orgpulse_requests_total",
    "orgpulse_requests_unanswered_total",
    "orgpulse_response_latency_seconds_count",
)


def test_unsafe_sources_and_those_beyond_the_limit_are_other() -> None:
    labels = SourceLabels(limit=2)
    assert labels("a", "Slack") == "slack"
    assert labels("a", "slack") == "slack"
    for unsafe in ("", "-x", "GitHub Enterprise", "日本", "a" * 33, "x;y", "Ünï", "_lead"):
        assert labels("a", unsafe) == OTHER_SOURCE
    assert labels("a", "github.com") == "github.com"
    assert labels("a", "jira") == OTHER_SOURCE  # a third name for tenant a
    assert labels("a", "slack") == "slack"
    assert labels("b", "jira") == "jira"  # the limit is per tenant
    assert labels("a", "a" * 32) == OTHER_SOURCE


def test_every_source_labelled_metric_uses_the_same_bounded_names() -> None:
    runtime = Runtime(CONFIG, {}, WorkerMetrics(CollectorRegistry(), max_sources_per_tenant=3))
    sources = [f"tool{i}" for i in range(6)] + ["Tool0", "not safe"]
    hour = 3_600_000
    events: list[Interaction] = []
    for index, source in enumerate(sources):
        request = event(f"r{index}", hour + index, "p0", ["p1"], 1.0, "request", f"t{index}")
        reply = event(f"a{index}", hour + index + 60_000, "p1", ["p0"], 1.0, "reply", f"t{index}")
        request["source"], reply["source"] = source, source
        events += [request, reply]
    late = event("late", 40 * hour, "p2", ["p3"], 1.0)  # pushes every request past its horizon
    runtime.apply_events([*events[::2], *events[1:8:2], late])
    exposition = generate_latest(runtime.metrics.registry).decode()
    named = {"tool0", "tool1", "tool2"}
    for metric in SOURCE_METRICS:
        by_source = counter_by(exposition, metric, "source")
        assert set(by_source) <= named | {OTHER_SOURCE}, metric
        assert OTHER_SOURCE in by_source or metric == "orgpulse_response_latency_seconds_count"
    processed = counter_by(exposition, PROCESSED, "source")
    # tool0: its request and reply and "Tool0"; other: tool3 to tool5, "not safe", "slack"
    assert processed == {"tool0": 3, "tool1": 2, "tool2": 2, OTHER_SOURCE: 6}
