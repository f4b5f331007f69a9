"""Where a tenant's memory goes: the backfill org of ``bench_backfill.py`` applied in process,
then the Python objects of each part of its state measured.

Builds the simulated organization of the backfill figure (10,000 people, 200 teams, seed 7,
1,000,000 events over 30 days), applies its pseudonymized events through the runtime the
worker uses (``Runtime.apply_events`` and ``persist``, batches of 1,000, the deltas in a
RocksDB database as the worker's table keeps them, off the Python heap), then sizes the
objects reachable from each part of the tenant's state in the order below; an object
reachable from two parts counts in the first (an event id in a bucket and in the duplicate
check is one string). Prints MiB per part, their sum, and the process's resident set size.
Needs ``ORGPULSE_PSEUDONYM_KEY`` (``make bench`` sets a throwaway one).

    .venv/bin/python benchmarks/profile_memory.py [--events 1000000] [--people 10000]
        [--teams 200] [--days 30]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from typing import Any, cast

from common import BACKFILL_TENANT, backfill_simulator, rss_mib
from prometheus_client import CollectorRegistry
from rocksdict import Rdict

from streams.analytics.config import AnalyticsConfig
from streams.commands.worker import GC_THRESHOLDS
from streams.connectors.builder import RecordBuilder
from streams.engine.runtime import DeltaStore, Runtime, TenantSlot
from streams.metrics.counters import WorkerMetrics
from streams.settings import Settings

BATCH = 1000
MIB = 2**20


def deep_size(roots: list[Any], seen: set[int]) -> int:
    """Bytes of the objects reachable from ``roots`` not in ``seen`` (added to it); classes,
    modules, functions and bound methods (a callback would reach its owner) are not followed."""
    total, stack = 0, list(roots)
    skipped = (type, types.ModuleType, types.FunctionType, types.MethodType)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skipped):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def parts(slot: TenantSlot) -> Iterator[tuple[str, list[Any]]]:
    """The parts of a tenant's state, in the order they are measured."""
    state = slot.state
    windows = state.windows
    store = windows.store
    buckets = [bucket for _, bucket in windows.buckets()]
    yield "event ids kept for duplicates (bucket lists)", [b.events for b in buckets]
    yield (
        "bucket pairs (compacted arrays, current edges)",
        [(b.actors, b.targets, b.counts, b.weights, b.edges) for b in buckets],
    )
    yield "edge map (out, into, degree)", [store.out, store.into, store.degree]
    yield "team aggregates", [store.teams]
    yield "rest of the windows (the duplicate-id set)", [windows]
    yield "feedback tracker (open and answered requests)", [state.feedback]
    yield "knowledge observers (information latency, artifacts)", [slot.observers]
    yield "directory", [state.directory]
    yield "rest of the tenant state (journal, silos, memos)", [state]


def apply_backfill(args: argparse.Namespace, deltas: DeltaStore) -> Runtime:
    """The backfill's directory and events applied through a runtime storing ``deltas``."""
    settings = Settings(schema_registry_url=None)
    simulator = backfill_simulator(args.events, args.people, args.teams, args.days)
    builder = RecordBuilder(settings)
    config = AnalyticsConfig.from_settings(settings)
    runtime = Runtime(config, deltas, WorkerMetrics(CollectorRegistry()))
    people = [builder.person(raw) for raw in simulator.directory()]
    runtime.apply_directory((p["tenant"], p["person"], p) for p in people)
    batch = []
    for raw in simulator.simulation.events(args.events):
        batch.append(builder.interaction(raw))
        if len(batch) == BATCH:
            runtime.apply_events(batch)
            runtime.persist()
            batch = []
    runtime.apply_events(batch)
    runtime.persist()
    return runtime


def main() -> None:
    """Apply the backfill, then print the size of each part of the tenant's state."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--days", type=float, default=30.0)
    args = parser.parse_args()
    gc.set_threshold(*GC_THRESHOLDS)
    with tempfile.TemporaryDirectory() as tmp:
        deltas = Rdict(tmp)
        try:
            measure(args, cast(DeltaStore, deltas))
        finally:
            deltas.close()


def measure(args: argparse.Namespace, deltas: DeltaStore) -> None:
    """Apply the backfill, then size the parts of the tenant's state."""
    started = time.perf_counter()
    runtime = apply_backfill(args, deltas)
    slot = runtime.slot(BACKFILL_TENANT)
    window = slot.state.windows.graphs["28d"]
    print(
        f"{args.events:,} events, {args.people:,} people, {args.teams} teams, {args.days:g} days "
        f"applied in {time.perf_counter() - started:.0f} s; 28d window: {window.people:,} people, "
        f"{window.pairs:,} pairs, {window.edges:,} distinct edges"
    )
    gc.collect()
    current, peak = rss_mib(
        os.getpid()
    )  # before the sizing, whose set of visited ids is large itself
    seen: set[int] = {id(runtime), id(slot)}
    total = 0
    for name, roots in parts(slot):
        size = deep_size(roots, seen)
        total += size
        print(f"  {name:<56} {size / MIB:8,.1f} MiB")
    print(f"  {'sum of the parts (Python objects)':<56} {total / MIB:8,.1f} MiB")
    print(f"  {'process RSS before the sizing / peak':<56} {current:8,.1f} MiB / {peak:,.1f} MiB")


if __name__ == "__main__":
    main()
