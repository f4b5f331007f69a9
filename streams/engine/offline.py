"""``orgpulse analyze``: the worker's analytics over files, without Kafka.

Records go through the same builder (pseudonymization, validation) and the same
:class:`~streams.engine.runtime.Runtime` as in the worker, so the snapshots are equal to
the streaming ones on the same events; an event the runtime cannot apply is skipped with
reason ``apply_error`` (the worker dead-letters it with that reason).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from streams.analytics.config import AnalyticsConfig
from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawPerson, Skipped, SourceItem
from streams.engine.runtime import Runtime
from streams.metrics.counters import WorkerMetrics
from streams.records.validation import InvalidRecord
from streams.settings import Settings


@dataclass
class OfflineResult:
    """The runtime after all records, and the records skipped by reason."""

    runtime: Runtime
    skipped: Counter[str] = field(default_factory=Counter)


def analyze(items: Iterable[SourceItem], settings: Settings) -> OfflineResult:
    """Apply directory entries and events in order, as a worker would."""
    builder = RecordBuilder(settings)
    metrics = WorkerMetrics(CollectorRegistry(), settings.max_sources_per_tenant)
    runtime = Runtime(AnalyticsConfig.from_settings(settings), {}, metrics)
    result = OfflineResult(runtime)

    def failed(_index: int, _error: Exception) -> None:
        result.skipped["apply_error"] += 1

    for item in items:
        if isinstance(item, Skipped):
            result.skipped[item.reason] += 1
            continue
        try:
            if isinstance(item, RawPerson):
                person = builder.person(item)
                entry = None if item.removed else person
                runtime.apply_directory([(person["tenant"], person["person"], entry)])
            else:
                runtime.apply_events([builder.interaction(item)], failed)
        except InvalidRecord as error:
            result.skipped[error.reason] += 1
    return result
