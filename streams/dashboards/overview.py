"""Overview: throughput, freshness, size of the graph, silos and response latency at a glance."""

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
)
from streams.dashboards.promql import EVENT_LAG, HIDDEN_SILOS, TENANT, WINDOW, quantile, selector

UID = "orgpulse-overview"
TITLE = "orgpulse / Overview"
DESCRIPTION = "Throughput, freshness, graph size, silos and latency."
PEOPLE = f"sum({selector('orgpulse_window_people', TENANT, WINDOW)})"
PAIRS = f"sum({selector('orgpulse_window_pairs', TENANT, WINDOW)})"
LATENCY = selector("orgpulse_response_latency_seconds_bucket", TENANT)


def headline(
    title: str, description: str, expr: str, unit: str = "short", width: int = 5
) -> stat.Panel:
    """A stat panel of the "Now" row: one instant query, five rows high."""
    target = query(expr, instant=True)
    return panel(stat.Panel(), title, description, target, unit=unit, width=width, height=5)


def build() -> model.Dashboard:
    """The overview dashboard."""
    return assemble(new_dashboard(UID, TITLE, DESCRIPTION), _now_row(), _trends_row())


def _now_row() -> Row:
    """Headline numbers: freshness, graph size and silos."""
    freshness = "Wall clock minus the newest event time of the tenant."
    siloed = f"sum({selector('orgpulse_team_siloed', TENANT)})"
    hidden = "Louvain communities of at least 5 people that cut across formal teams."
    return Row(
        "Now",
        [
            headline("Freshness", freshness, EVENT_LAG, unit="s", width=4).thresholds(
                thresholds((None, "green"), (300, "orange"), (3600, "red"))
            ),
            headline("People", "People with at least one pair in the window.", PEOPLE),
            headline("Pairs", "Directed pairs in the window.", PAIRS),
            headline(
                "Siloed teams", "Teams currently in the siloed state (silo window).", siloed
            ).thresholds(thresholds((None, "green"), (1, "red"))),
            headline("Hidden silos", hidden, HIDDEN_SILOS).thresholds(
                thresholds((None, "green"), (1, "orange"))
            ),
        ],
    )


def _trends_row() -> Row:
    """Throughput, latency, graph size and lag over time."""
    return Row(
        "Trends",
        [
            events_processed(width=12),
            panel(
                timeseries.Panel(),
                "Response latency p50: within vs cross team",
                "Median time from a request to its first response, by scope.",
                query(quantile(0.5, LATENCY, "scope"), "{{scope}}"),
                unit="s",
            ),
            _graph_size(),
            panel(
                timeseries.Panel(),
                "Event-time lag",
                "Wall clock minus the newest event time.",
                query(EVENT_LAG, "lag"),
                unit="s",
            ),
        ],
    )


def _graph_size() -> timeseries.Panel:
    """People and pairs of the window over time."""
    return panel(
        timeseries.Panel(),
        "People and pairs",
        "Size of the interaction graph in the window.",
        query(PEOPLE, "people"),
        query(PAIRS, "pairs"),
    )
