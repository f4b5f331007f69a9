"""The worker runtime without Kafka: bounded delta store and rebuild equal to live state."""

from __future__ import annotations

from itertools import islice

from faust.serializers import codecs
from prometheus_client import CollectorRegistry

from streams.analytics.config import AnalyticsConfig
from streams.analytics.journal import Delta, split
from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawInteraction, RawPerson
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.engine.runtime import DELTA_BUDGET_BYTES, Runtime
from streams.metrics.counters import WorkerMetrics
from streams.model import Interaction, new_interaction
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
        max(op[2] for op in d["ops"] if op[0] == "e")
        for d in store.values()
        if any(op[0] == "e" for op in d["ops"])
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
    assert set(runtime.slots) == {"here"}
    assert runtime.state("here").directory.members("t") == 5
    assert runtime.state("elsewhere").directory.members("t") == 5


def wide_events(count: int, targets: int, t0_ms: int) -> list[Interaction]:
    """``count`` events of one tenant, each from one of 60 people to ``targets`` others."""
    people = [f"p_{i:032x}" for i in range(60)]
    return [
        new_interaction(
            f"wide-{i}",
            "acme",
            t0_ms + i * 1000,
            people[i % 60],
            [people[(i + k) % 60] for k in range(1, targets + 1)],
        )
        for i in range(count)
    ]


def test_a_big_batch_is_stored_in_parts_within_the_budget_and_replays() -> None:
    config = AnalyticsConfig()  # the defaults, whatever the environment says
    events = wide_events(3000, 50, parse_time("2026-03-01T00:00:00Z"))
    store: dict[str, Delta] = {}
    runtime = Runtime(config, store, WorkerMetrics(CollectorRegistry()))
    runtime.apply_events(events)
    runtime.persist()
    sizes = [len(codecs.dumps("json", delta)) for delta in store.values()]
    assert len(sizes) > 1 and max(sizes) <= DELTA_BUDGET_BYTES
    assert sum(sizes) > 2 * DELTA_BUDGET_BYTES  # one delta would not have fit 1 MiB
    rebuilt = Runtime(config, store, WorkerMetrics(CollectorRegistry()))
    reference = Runtime(config, {}, WorkerMetrics(CollectorRegistry()))
    for start in range(0, len(events), 100):
        reference.apply_events(events[start : start + 100])
    for window in config.windows:
        assert rebuilt.state("acme").snapshot(window) == reference.state("acme").snapshot(window)


def test_split_keeps_the_ops_in_order_and_the_counts_once() -> None:
    ops: list[list[object]] = [["e", str(i) * (i % 50 + 1)] for i in range(300)]
    delta: Delta = {"version": 2, "tenant": "acme", "ops": ops, "late": 3, "duplicate": 4}
    parts = split(delta, 2000)
    assert [op for part in parts for op in part["ops"]] == ops
    assert [(p["late"], p["duplicate"]) for p in parts] == [(3, 4)] + [(0, 0)] * (len(parts) - 1)
    assert all(len(codecs.dumps("json", part)) <= 2000 for part in parts)
    assert split({**delta, "ops": []}, 10) == [{**delta, "ops": []}]
