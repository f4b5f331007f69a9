"""Pipeline health: the worker is up, what it rejects or skips, how long refreshes take and
how much a restart would replay.

Kafka consumer lag is not exported by the worker, so it is not on this dashboard; event-time
freshness (``orgpulse_event_time_lag_seconds``) is the closest signal the worker exposes.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import stat, timeseries
from grafana_foundation_sdk.models import dashboard as model

from streams.dashboards.common import (
    Row,
    assemble,
    events_processed,
    new_dashboard,
    panel,
    query,
    thresholds,
    value_texts,
)
from streams.dashboards.promql import EVENT_LAG, TENANT, WINDOW, quantile, rate, selector, sum_by

UID = "orgpulse-pipeline"
TITLE = "orgpulse / Pipeline health"
DESCRIPTION = (
    "Worker up, dead letters, duplicates, late and broadcast events, graph compute "
    "time. Kafka consumer lag is not exported by the worker and is not shown."
)
JOB = 'job="orgpulse"'
"""The Prometheus scrape job of the worker."""
COMPUTE = selector("orgpulse_graph_compute_seconds_bucket", TENANT)


def _rate(metric: str) -> str:
    """Per-second rate of the tenant's counter ``metric``, summed."""
    return sum_by("", rate(selector(metric, TENANT)))


def build() -> model.Dashboard:
    """The pipeline health dashboard."""
    board = new_dashboard(UID, TITLE, DESCRIPTION)
    return assemble(board, _worker_row(), _rejected_row(), _compute_row())


def _worker_row() -> Row:
    """Worker up, its throughput and its event-time lag."""
    return Row(
        "Worker",
        [
            _worker_up(),
            events_processed(width=9),
            panel(
                timeseries.Panel(),
                "Event-time lag",
                "Wall clock minus the newest event time; grows when the worker falls behind "
                "or the sources stop sending.",
                query(EVENT_LAG, "lag"),
                unit="s",
                width=9,
            ),
        ],
    )


def _worker_up() -> stat.Panel:
    """Whether Prometheus can scrape each worker."""
    return (
        panel(
            stat.Panel(),
            "Worker up",
            "Prometheus can scrape the worker's /metrics.",
            query(selector("up", JOB), "{{instance}}", instant=True),
            unit="none",
            width=6,
        )
        .mappings(value_texts({"0": ("down", "red"), "1": ("up", "green")}))
        .thresholds(thresholds((None, "red"), (1, "green")))
    )


def _rejected_row() -> Row:
    """Dead letters by reason; duplicate, late and broadcast events."""
    return Row(
        "Rejected and skipped events",
        [
            panel(
                timeseries.Panel(),
                "Dead letters per second by reason",
                "Records sent to the dead-letter topic (all tenants: undecodable records have "
                "no tenant).",
                query(sum_by("reason", rate("orgpulse_events_dead_lettered_total")), "{{reason}}"),
                unit="ops",
            ),
            panel(
                timeseries.Panel(),
                "Duplicate, late and broadcast events per second",
                "Re-delivered events ignored; events older than the oldest kept bucket; "
                "events with too many targets, counted but kept out of the graph.",
                query(_rate("orgpulse_events_duplicate_total"), "duplicate"),
                query(_rate("orgpulse_events_late_total"), "late"),
                query(_rate("orgpulse_events_broadcast_total"), "broadcast"),
                unit="ops",
            ),
        ],
    )


def _compute_row() -> Row:
    """Graph compute time (p99 by window, the selected window's mean) and the events since
    the last checkpoint."""
    seconds = selector("orgpulse_graph_compute_seconds_sum", TENANT, WINDOW)
    count = selector("orgpulse_graph_compute_seconds_count", TENANT, WINDOW)
    return Row(
        "Graph compute",
        [
            panel(
                timeseries.Panel(),
                "Graph compute time p99 by window",
                "99th percentile of the time to refresh a window's team metrics.",
                query(quantile(0.99, COMPUTE, "window"), "{{window}}"),
                unit="s",
                width=8,
            ),
            panel(
                timeseries.Panel(),
                "Graph compute time of the window",
                "Mean time to refresh the selected window's team metrics.",
                query(f"sum({rate(seconds)}) / sum({rate(count)})", "mean"),
                unit="s",
                width=8,
            ),
            panel(
                timeseries.Panel(),
                "Events since the last checkpoint",
                "Events a restart would replay from deltas; drops to 0 at each checkpoint "
                "(every checkpoint_events, and when the worker has been idle for a while).",
                query(sum_by("", selector("orgpulse_events_since_checkpoint", TENANT)), "events"),
                unit="short",
                width=8,
            ),
        ],
    )
