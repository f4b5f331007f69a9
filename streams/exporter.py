"""Prometheus metrics of a worker: event counters plus gauges read from the latest snapshots.

Gauges about windows and teams are produced by a custom collector from the snapshots the
refresh timer computed, so a team that disappears from a window leaves no stale series.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

Snapshots = Mapping[str, Mapping[str, Mapping[str, Any]]]
"""tenant → window → snapshot JSON (DESIGN §5)."""

TEAM_GAUGES = (
    ("orgpulse_team_ei_index", "E-I index (E-I)/(E+I) of a team's pairs in the window", "ei_index"),
    (
        "orgpulse_team_partner_teams",
        "Distinct other teams a team exchanged pairs with",
        "partner_teams",
    ),
    (
        "orgpulse_team_bridge_concentration",
        "Largest external weight carried by one member divided by the team's E",
        "bridge_concentration",
    ),
)
ORG_GAUGES = (
    ("orgpulse_window_people", "People with at least one pair in the window", "people"),
    ("orgpulse_window_pairs", "Directed pairs in the window", "pairs"),
    ("orgpulse_org_modularity", "Modularity of the formal team partition", "modularity"),
    ("orgpulse_org_reciprocity", "Reciprocity of the directed person graph", "reciprocity"),
)


class WorkerMetrics:
    """The counters and histograms a worker updates while processing events."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
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
            buckets=(
                0.0005,
                0.001,
                0.0025,
                0.005,
                0.01,
                0.025,
                0.05,
                0.1,
                0.25,
                0.5,
                1,
                2.5,
                5,
                10,
            ),
        )


class SnapshotCollector(Collector):
    """Emits the window, team and org gauges of the latest snapshots at scrape time."""

    def __init__(
        self,
        silo_window: str,
        snapshots: Callable[[], Snapshots],
        watermarks: Callable[[], Mapping[str, int]],
        hidden_silos: Callable[[], Mapping[str, Mapping[str, int]]],
    ) -> None:
        self._silo_window = silo_window
        self._snapshots = snapshots
        self._watermarks = watermarks
        self._hidden_silos = hidden_silos

    def collect(self) -> Iterator[Metric]:
        """One metric family per gauge name, built from the current snapshots."""
        snapshots = self._snapshots()
        yield from self._org_gauges(snapshots)
        yield from self._team_gauges(snapshots)
        siloed = GaugeMetricFamily(
            "orgpulse_team_siloed",
            "1 while a team is in the siloed state",
            labels=["tenant", "team"],
        )
        lag = GaugeMetricFamily(
            "orgpulse_event_time_lag_seconds",
            "Wall clock minus the newest event time",
            labels=["tenant"],
        )
        hidden = GaugeMetricFamily(
            "orgpulse_org_hidden_silos",
            "Louvain communities of >= min_group_size people that cut across formal teams",
            labels=["tenant", "window"],
        )
        now = time.time()
        for tenant, windows in snapshots.items():
            for team, values in windows.get(self._silo_window, {}).get("teams", {}).items():
                siloed.add_metric([tenant, team], 1.0 if values["siloed"] else 0.0)
        for tenant, watermark in self._watermarks().items():
            lag.add_metric([tenant], now - watermark / 1000)
        for tenant, counts in self._hidden_silos().items():
            for window, count in counts.items():
                hidden.add_metric([tenant, window], float(count))
        yield from (siloed, lag, hidden)

    @staticmethod
    def _org_gauges(snapshots: Snapshots) -> Iterator[Metric]:
        for name, documentation, key in ORG_GAUGES:
            family = GaugeMetricFamily(name, documentation, labels=["tenant", "window"])
            for tenant, windows in snapshots.items():
                for window, snapshot in windows.items():
                    value = snapshot["org"].get(key)
                    if value is not None:
                        family.add_metric([tenant, window], float(value))
            yield family

    @staticmethod
    def _team_gauges(snapshots: Snapshots) -> Iterator[Metric]:
        for name, documentation, key in TEAM_GAUGES:
            family = GaugeMetricFamily(name, documentation, labels=["tenant", "window", "team"])
            for tenant, windows in snapshots.items():
                for window, snapshot in windows.items():
                    for team, values in snapshot["teams"].items():
                        if values.get(key) is not None:
                            family.add_metric([tenant, window, team], float(values[key]))
            yield family
