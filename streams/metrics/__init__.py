"""Prometheus: the counters and histograms a worker updates while it applies events
(:mod:`counters`) and the gauges built from snapshots at scrape time (:mod:`collector`).
"""

from streams.metrics.collector import SnapshotCollector
from streams.metrics.counters import SourceLabels, WorkerMetrics

__all__ = ["SnapshotCollector", "SourceLabels", "WorkerMetrics"]
