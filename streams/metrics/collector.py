"""Gauges read at scrape time from what the refresh timers computed.

A custom collector instead of gauge objects: a team that disappears from a window leaves
no stale series behind. Every team label comes from a snapshot or from privacy-filtered
analytics, so small teams and people never appear.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

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


class Source(Protocol):
    """What the collector reads (the worker's runtime)."""

    @property
    def snapshots(self) -> Snapshots:
        """Per tenant, the snapshots of the latest refresh by window."""

    @property
    def hidden_silos(self) -> Mapping[str, Mapping[str, int]]:
        """Per tenant, hidden-silo counts by window."""

    @property
    def open_requests(self) -> Mapping[str, Mapping[tuple[str, str], int]]:
        """Per tenant, open requests by (team label, age band)."""

    @property
    def knowledge(self) -> Mapping[str, Mapping[str, Any]]:
        """Per tenant, the knowledge-flow section."""

    def watermarks(self) -> dict[str, int]:
        """Newest event time per tenant."""

    def checkpoint_lags(self) -> dict[str, int]:
        """Per tenant, the events applied since its last confirmed checkpoint."""


def _gauge(name: str, documentation: str, *labels: str) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


class SnapshotCollector(Collector):
    """Window, team, org, feedback and knowledge-flow gauges of the latest refresh."""

    def __init__(self, source: Source, silo_window: str, top_k: int) -> None:
        self._source = source
        self._silo_window = silo_window
        self._top_k = top_k

    def collect(self) -> Iterator[Metric]:
        """Every gauge family, built from the source's current values."""
        snapshots = self._source.snapshots
        yield from self._org_gauges(snapshots)
        yield from self._team_gauges(snapshots)
        yield self._siloed(snapshots)
        yield self._flows(snapshots)
        yield self._lag()
        yield self._checkpoint_lag()
        yield self._hidden()
        yield self._open_requests()
        yield from self._staleness()

    @staticmethod
    def _org_gauges(snapshots: Snapshots) -> Iterator[Metric]:
        for name, documentation, key in ORG_GAUGES:
            family = _gauge(name, documentation, "tenant", "window")
            for tenant, windows in snapshots.items():
                for window, snapshot in windows.items():
                    value = snapshot["org"].get(key)
                    if value is not None:
                        family.add_metric([tenant, window], float(value))
            yield family

    @staticmethod
    def _team_gauges(snapshots: Snapshots) -> Iterator[Metric]:
        for name, documentation, key in TEAM_GAUGES:
            family = _gauge(name, documentation, "tenant", "window", "team")
            for tenant, windows in snapshots.items():
                for window, snapshot in windows.items():
                    for team, values in snapshot["teams"].items():
                        if values.get(key) is not None:
                            family.add_metric([tenant, window, team], float(values[key]))
            yield family

    def _siloed(self, snapshots: Snapshots) -> Metric:
        family = _gauge(
            "orgpulse_team_siloed", "1 while a team is in the siloed state", "tenant", "team"
        )
        for tenant, windows in snapshots.items():
            for team, values in windows.get(self._silo_window, {}).get("teams", {}).items():
                family.add_metric([tenant, team], 1.0 if values["siloed"] else 0.0)
        return family

    def _flows(self, snapshots: Snapshots) -> Metric:
        family = _gauge(
            "orgpulse_team_flow",
            "Weight of pairs from one team to another (top K)",
            "tenant",
            "window",
            "src_team",
            "dst_team",
        )
        for tenant, windows in snapshots.items():
            for window, snapshot in windows.items():
                flows = heapq.nsmallest(
                    self._top_k,
                    snapshot.get("flow", []),
                    key=lambda f: (-f["weight"], f["src"], f["dst"]),
                )
                for flow in flows:
                    family.add_metric([tenant, window, flow["src"], flow["dst"]], flow["weight"])
        return family

    def _lag(self) -> Metric:
        family = _gauge(
            "orgpulse_event_time_lag_seconds", "Wall clock minus the newest event time", "tenant"
        )
        now = time.time()
        for tenant, watermark in self._source.watermarks().items():
            family.add_metric([tenant], now - watermark / 1000)
        return family

    def _checkpoint_lag(self) -> Metric:
        family = _gauge(
            "orgpulse_events_since_checkpoint",
            "Events applied since the tenant's last confirmed checkpoint (a restart replays "
            "them from deltas)",
            "tenant",
        )
        for tenant, events in self._source.checkpoint_lags().items():
            family.add_metric([tenant], float(events))
        return family

    def _hidden(self) -> Metric:
        family = _gauge(
            "orgpulse_org_hidden_silos",
            "Louvain communities of >= min_group_size people that cut across teams",
            "tenant",
            "window",
        )
        for tenant, counts in self._source.hidden_silos.items():
            for window, count in counts.items():
                family.add_metric([tenant, window], float(count))
        return family

    def _open_requests(self) -> Metric:
        family = _gauge(
            "orgpulse_requests_open",
            "Requests not answered yet and not past the horizon, by age",
            "tenant",
            "team",
            "age",
        )
        for tenant, counts in self._source.open_requests.items():
            for (team, age), count in sorted(counts.items()):
                family.add_metric([tenant, team, age], float(count))
        return family

    def _staleness(self) -> Iterator[Metric]:
        pairs = _gauge(
            "orgpulse_team_info_staleness_seconds",
            "Median age of the freshest information dst_team has about src_team (top K)",
            "tenant",
            "src_team",
            "dst_team",
        )
        behind = _gauge(
            "orgpulse_team_out_of_date_seconds",
            "Median over other teams of how stale a team's information about them is",
            "tenant",
            "team",
        )
        for tenant, knowledge in self._source.knowledge.items():
            for pair in knowledge.get("top_stale_pairs", []):
                pairs.add_metric([tenant, pair["src"], pair["dst"]], pair["median_seconds"])
            for team, seconds in knowledge.get("out_of_date", {}).items():
                if seconds is not None:
                    behind.add_metric([tenant, team], seconds)
        yield pairs
        yield behind
