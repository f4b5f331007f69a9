"""Profile of the worker's in-process hot path: decode, check, apply, persist (no Kafka).

Builds and encodes the events of a simulated 2,000-person organization (seed 7) up front,
then processes them batch by batch as the ingest agent does: ``check_interaction`` (decode +
validate) on each record, ``Runtime.apply_events`` on the valid ones, ``Runtime.persist``
(deltas into a dict store that JSON-encodes each value, as the table's changelog does) and
``observe_crossings``; the runtime is the one ``streams/engine/offline.py`` uses. Timers (refresh,
knowledge, Louvain), the directory catch-up and Kafka are left out.

Prints events/s without the profiler (the in-process ceiling of the worker), then the top
functions under cProfile by cumulative and by self time.

    .venv/bin/python benchmarks/profile_worker.py [--events 100000] [--batch 1000] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from typing import Any

from prometheus_client import CollectorRegistry

from streams.analytics.config import AnalyticsConfig
from streams.connectors.builder import RecordBuilder
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.engine.runtime import Runtime
from streams.kafka.codec import interaction_codec
from streams.kafka.directory_reader import DirectoryUpdate
from streams.metrics.counters import WorkerMetrics
from streams.model import Interaction
from streams.records.check import Rejection, check_interaction
from streams.settings import Settings
from streams.timeutil import now_ms, parse_time


class ChangelogStore(dict[str, Any]):
    """A dict delta store that also JSON-encodes every value written, like a table changelog."""

    def __setitem__(self, key: str, value: Any) -> None:
        json.dumps(value)
        super().__setitem__(key, value)


def workload(
    settings: Settings, events: int, people: int
) -> tuple[list[DirectoryUpdate], list[bytes]]:
    """The simulated directory and encoded events."""
    spec = OrgSpec(seed=7, people=people, teams=60, siloed_teams=4, events_per_hour=2000.0)
    simulator = OrgSimulator(spec, events, parse_time("2026-06-01T00:00:00Z"))
    builder = RecordBuilder(settings)
    people_entries = [builder.person(raw) for raw in simulator.directory()]
    directory: list[DirectoryUpdate] = [(p["tenant"], p["person"], p) for p in people_entries]
    codec = interaction_codec(settings)
    encoded = [
        codec.encode(builder.interaction(raw)) for raw in simulator.simulation.events(events)
    ]
    return directory, encoded


def process(
    settings: Settings, directory: list[DirectoryUpdate], records: list[bytes], batch: int
) -> Runtime:
    """Run the hot path over ``records`` in batches; returns the runtime."""
    runtime = Runtime(
        AnalyticsConfig.from_settings(settings),
        ChangelogStore(),
        WorkerMetrics(CollectorRegistry()),
    )
    runtime.apply_directory(directory)
    codec = interaction_codec(settings)
    max_future_ms = settings.max_future_seconds * 1000
    for start in range(0, len(records), batch):
        clock = now_ms()
        valid: list[Interaction] = []
        for raw in records[start : start + batch]:
            result = check_interaction(raw, codec, clock, max_future_ms)
            if not isinstance(result, Rejection):
                valid.append(result)
        runtime.apply_events(valid)
        runtime.persist()
        runtime.observe_crossings()
    return runtime


def main() -> None:
    """Time the hot path, then profile it and print the top functions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=1000, help="events per batch (worker: 1000)")
    parser.add_argument("--top", type=int, default=25, help="functions listed per ordering")
    args = parser.parse_args()
    settings = Settings(schema_registry_url=None)
    directory, records = workload(settings, args.events, args.people)
    started = time.perf_counter()
    process(settings, directory, records, args.batch)
    seconds = time.perf_counter() - started
    print(
        f"{args.events:,} events, {args.people} people, batches of {args.batch}: "
        f"{args.events / seconds:,.0f} events/s without the profiler ({seconds:.1f} s)"
    )
    profiler = cProfile.Profile()
    profiler.runcall(process, settings, directory, records, args.batch)
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    for order, label in (("cumulative", "cumulative time"), ("tottime", "self time")):
        print(f"\ntop {args.top} functions by {label}:")
        stats.sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
