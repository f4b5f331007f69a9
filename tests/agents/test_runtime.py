"""The worker runtime without Kafka: bounded delta store and rebuild equal to live state."""

from __future__ import annotations

from itertools import islice

from prometheus_client import CollectorRegistry

from streams.agents.runtime import Runtime
from streams.analytics.config import AnalyticsConfig
from streams.analytics.journal import Delta
from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawInteraction, RawPerson
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.exporter import WorkerMetrics
from streams.settings import Settings
from streams.timeutil import parse_time

HOUR_MS = 3_600_000
DAYS = 90


def run(store: dict[str, Delta], batch: int = 400) -> Runtime:
    """A runtime fed a 90-day simulated org in batches, persisting after each batch."""
    settings = Settings()
    builder = RecordBuilder(settings)
    runtime = Runtime(
        AnalyticsConfig.from_settings(settings),
        store,
        WorkerMetrics(CollectorRegistry()),
    )
    simulator = OrgSimulator(
        OrgSpec(seed=2, events_per_hour=10.0), DAYS * 24 * 10, parse_time("2026-01-01T00:00:00Z")
    )
    records = iter(simulator.records())
    while chunk := list(islice(records, batch)):
        people = [builder.person(r) for r in chunk if isinstance(r, RawPerson)]
        runtime.apply_directory((p["tenant"], p["person"], p) for p in people)
        runtime.apply_events(builder.interaction(r) for r in chunk if isinstance(r, RawInteraction))
        runtime.persist()
    return runtime


def test_store_keeps_only_deltas_of_the_largest_window() -> None:
    store: dict[str, Delta] = {}
    runtime = run(store)
    state = runtime.state("acme")
    assert state.windows.watermark is not None
    oldest_kept = state.windows.bucket_of(state.windows.watermark) - 28 * 24 + 1
    batches_written = DAYS * 24 * 10 // 400
    assert 0 < len(store) < batches_written / 2
    newest_per_delta = [
        max(op[2] for op in d["ops"] if op[0] != "d")
        for d in store.values()
        if any(op[0] != "d" for op in d["ops"])
    ]
    assert all(t // HOUR_MS >= oldest_kept for t in newest_per_delta)
    kept_buckets = [index for index, _ in state.windows.buckets()]
    assert min(kept_buckets) >= oldest_kept


def test_rebuild_from_store_equals_live_state() -> None:
    store: dict[str, Delta] = {}
    live = run(store)
    rebuilt = Runtime(live.config, store, WorkerMetrics(CollectorRegistry()))
    for window in live.config.windows:
        assert rebuilt.state("acme").snapshot(window) == live.state("acme").snapshot(window)
    assert rebuilt.state("acme").silo.siloed == live.state("acme").silo.siloed


def test_directory_of_tenants_owned_elsewhere_waits_until_they_are_rebuilt_here() -> None:
    runtime = Runtime(
        AnalyticsConfig.from_settings(Settings()), {}, WorkerMetrics(CollectorRegistry())
    )
    entries = [
        (
            tenant,
            f"p{i}",
            {"person": f"p{i}", "team": "t", "manager": None, "tenant": tenant, "bot": False},
        )
        for tenant in ("here", "elsewhere")
        for i in range(5)
    ]
    runtime.apply_directory(entries, owns=lambda tenant: tenant == "here")  # type: ignore[arg-type]
    assert set(runtime.states) == {"here"}
    assert runtime.state("here").directory.members("t") == 5
    assert runtime.state("elsewhere").directory.members("t") == 5
