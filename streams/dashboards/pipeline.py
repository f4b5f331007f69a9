"""Pipeline health: the worker is up, what it rejects or skips, and how long refreshes take.

Kafka consumer lag is not exported by the worker, so it is not on this dashboard; event-time
freshness (``orgpulse_event_time_lag_seconds``) is the closest signal the worker exposes.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard, stat, timeseries
from grafana_foundation_sdk.models import dashboard as model

from streams.dashboards.common import (
    TENANT,
    WINDOW,
    finish,
    new_dashboard,
    panel,
    query,
    thresholds,
    value_texts,
)

UID = "orgpulse-pipeline"
JOB = 'job="orgpulse"'
"""The Prometheus scrape job of the worker."""
COMPUTE = f"orgpulse_graph_compute_seconds_bucket{{{TENANT}}}"


def _rate(metric: str, by: str = "") -> str:
    """Per-second rate of the tenant's counter ``metric``, summed by the labels ``by``."""
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({metric}{{{TENANT}}}[$__rate_interval]))"


def build() -> model.Dashboard:
    """The pipeline health dashboard."""
    return finish(
        new_dashboard(
            UID,
            "orgpulse / Pipeline health",
            "Worker up, dead letters, duplicates, late and broadcast events, graph compute "
            "time. Kafka consumer lag is not exported by the worker and is not shown.",
        )
        .with_row(dashboard.Row("Worker"))
        .with_panel(
            panel(
                stat.Panel(),
                "Worker up",
                "Prometheus can scrape the worker's /metrics.",
                query(f"up{{{JOB}}}", "{{instance}}", instant=True),
                unit="none",
                width=6,
            )
            .mappings(value_texts({"0": ("down", "red"), "1": ("up", "green")}))
            .thresholds(thresholds((None, "red"), (1, "green")))
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Events processed per second",
                "Valid events applied, by source tool.",
                query(_rate("orgpulse_events_processed_total", "source"), "{{source}}"),
                unit="ops",
                width=9,
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Event-time lag",
                "Wall clock minus the newest event time; grows when the worker falls behind "
                "or the sources stop sending.",
                query(f"max(orgpulse_event_time_lag_seconds{{{TENANT}}})", "lag"),
                unit="s",
                width=9,
            )
        )
        .with_row(dashboard.Row("Rejected and skipped events"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "Dead letters per second by reason",
                "Records sent to the dead-letter topic (all tenants: undecodable records have "
                "no tenant).",
                query(
                    "sum by (reason) (rate(orgpulse_events_dead_lettered_total[$__rate_interval]))",
                    "{{reason}}",
                ),
                unit="ops",
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Duplicate, late and broadcast events per second",
                "Re-delivered events ignored; events older than the oldest kept bucket; "
                "events with too many targets, counted but kept out of the graph.",
                query(_rate("orgpulse_events_duplicate_total"), "duplicate"),
                query(_rate("orgpulse_events_late_total"), "late"),
                query(_rate("orgpulse_events_broadcast_total"), "broadcast"),
                unit="ops",
            )
        )
        .with_row(dashboard.Row("Graph compute"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "Graph compute time p99 by window",
                "99th percentile of the time to refresh a window's team metrics.",
                query(
                    "histogram_quantile(0.99, sum by (le, window) "
                    f"(rate({COMPUTE}[$__rate_interval])))",
                    "{{window}}",
                ),
                unit="s",
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Graph compute time of the window",
                "Mean time to refresh the selected window's team metrics.",
                query(
                    "sum(rate(orgpulse_graph_compute_seconds_sum"
                    f"{{{TENANT}, {WINDOW}}}[$__rate_interval])) / "
                    "sum(rate(orgpulse_graph_compute_seconds_count"
                    f"{{{TENANT}, {WINDOW}}}[$__rate_interval]))",
                    "mean",
                ),
                unit="s",
            )
        )
        .build()
    )
