"""Overview: throughput, freshness, size of the graph, silos and response latency at a glance."""

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
)

UID = "orgpulse-overview"


def headline(
    title: str, description: str, expr: str, unit: str = "short", width: int = 5
) -> stat.Panel:
    """A stat panel of the "Now" row: one instant query, five rows high."""
    target = query(expr, instant=True)
    return panel(stat.Panel(), title, description, target, unit=unit, width=width, height=5)


def build() -> model.Dashboard:
    """The overview dashboard."""
    return finish(
        new_dashboard(
            UID, "orgpulse / Overview", "Throughput, freshness, graph size, silos and latency."
        )
        .with_row(dashboard.Row("Now"))
        .with_panel(
            headline(
                "Freshness",
                "Wall clock minus the newest event time of the tenant.",
                f"max(orgpulse_event_time_lag_seconds{{{TENANT}}})",
                unit="s",
                width=4,
            ).thresholds(thresholds((None, "green"), (300, "orange"), (3600, "red")))
        )
        .with_panel(
            headline(
                "People",
                "People with at least one pair in the window.",
                f"sum(orgpulse_window_people{{{TENANT}, {WINDOW}}})",
            )
        )
        .with_panel(
            headline(
                "Pairs",
                "Directed pairs in the window.",
                f"sum(orgpulse_window_pairs{{{TENANT}, {WINDOW}}})",
            )
        )
        .with_panel(
            headline(
                "Siloed teams",
                "Teams currently in the siloed state (silo window).",
                f"sum(orgpulse_team_siloed{{{TENANT}}})",
            ).thresholds(thresholds((None, "green"), (1, "red")))
        )
        .with_panel(
            headline(
                "Hidden silos",
                "Louvain communities of at least 5 people that cut across formal teams.",
                f"sum(orgpulse_org_hidden_silos{{{TENANT}, {WINDOW}}})",
            ).thresholds(thresholds((None, "green"), (1, "orange")))
        )
        .with_row(dashboard.Row("Trends"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "Events processed per second",
                "Valid events applied, by source tool.",
                query(
                    f"sum by (source) (rate(orgpulse_events_processed_total{{{TENANT}}}"
                    "[$__rate_interval]))",
                    "{{source}}",
                ),
                unit="ops",
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Response latency p50: within vs cross team",
                "Median time from a request to its first response, by scope.",
                query(
                    "histogram_quantile(0.5, sum by (le, scope) (rate("
                    f"orgpulse_response_latency_seconds_bucket{{{TENANT}}}[$__rate_interval])))",
                    "{{scope}}",
                ),
                unit="s",
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "People and pairs",
                "Size of the interaction graph in the window.",
                query(f"sum(orgpulse_window_people{{{TENANT}, {WINDOW}}})", "people"),
                query(f"sum(orgpulse_window_pairs{{{TENANT}, {WINDOW}}})", "pairs"),
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Event-time lag",
                "Wall clock minus the newest event time.",
                query(f"max(orgpulse_event_time_lag_seconds{{{TENANT}}})", "lag"),
                unit="s",
            )
        )
        .build()
    )
