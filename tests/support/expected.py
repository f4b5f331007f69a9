"""Independent expectations for the worker: offline analysis and counts of the same records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from streams.connectors.records import SourceItem
from streams.engine.offline import OfflineResult, analyze
from streams.settings import Settings

Snapshots = dict[str, dict[str, Any]]
"""Snapshot JSON of one tenant by window."""

PROCESSED = "orgpulse_events_processed_total"


def counter_by(exposition: str, name: str, label: str) -> dict[str, float]:
    """Samples of the metric ``name`` in a Prometheus text exposition, summed by ``label``."""
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name:
                key = sample.labels[label]
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


def differences(actual: object, expected: object, path: str = "", limit: int = 10) -> list[str]:
    """Up to ``limit`` paths where two JSON values differ, with both values."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        found: list[str] = []
        for key in sorted(actual.keys() | expected.keys(), key=str):
            child = f"{path}.{key}"
            if key not in actual or key not in expected:
                found.append(f"{child}: only in {'actual' if key in actual else 'expected'}")
            else:
                found += differences(actual[key], expected[key], child, limit - len(found))
            if len(found) >= limit:
                break
        return found[:limit]
    return [] if actual == expected else [f"{path}: {actual!r} != expected {expected!r}"]


@dataclass(frozen=True)
class Expectation:
    """What a worker should serve and count after the records of an offline run."""

    result: OfflineResult

    def snapshots(self, tenant: str) -> Snapshots:
        """Every configured window's snapshot of ``tenant``."""
        state = self.result.runtime.state(tenant)
        return {window: state.snapshot(window) for window in self.result.runtime.config.windows}

    def counter_by(self, name: str, label: str) -> dict[str, float]:
        """A counter of the offline run summed by one label (see :func:`counter_by`)."""
        exposition = generate_latest(self.result.runtime.metrics.registry).decode()
        return counter_by(exposition, name, label)

    def processed(self) -> dict[str, float]:
        """Processed events by tenant."""
        return self.counter_by(PROCESSED, "tenant")


def expect(items: Iterable[SourceItem], settings: Settings) -> Expectation:
    """The expectation ``orgpulse analyze`` computes from ``items``."""
    return Expectation(analyze(items, settings))


def offline_snapshots(items: Iterable[SourceItem], settings: Settings, tenant: str) -> Snapshots:
    """The snapshots ``orgpulse analyze`` computes for ``tenant`` from ``items``."""
    return expect(items, settings).snapshots(tenant)
