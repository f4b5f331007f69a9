"""Scale-out over four tenants on four partitions: a second worker joins a running one and
takes half of the tenants over; when one of the two is SIGKILLed, the other takes its
partitions back with their state restored from the changelog. Every tenant ends with the
offline snapshots, and no event is counted twice or lost."""

from __future__ import annotations

import itertools
import signal
from collections.abc import Iterable, Sequence

from connectors.kafka_io import default_partition
from support.expected import PROCESSED, Expectation, expect
from support.kafka import free_ports, uncommitted
from support.replay import Replay, split_after_events
from support.worker import WorkerProcess, wait_for

from streams.agents.tenant_table import tenant_partition
from streams.connectors.emitter import Emitter
from streams.connectors.records import SourceItem
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import Settings
from streams.timeutil import parse_time

PARTITIONS = 4
PHASE_EVENTS = 2_500
"""Events per tenant in each phase: one worker, two workers, the survivor."""


def tenant_per_partition() -> list[str]:
    """The first names ``org-<n>`` that land on each partition, by partition."""
    found: dict[int, str] = {}
    for number in itertools.count():
        name = f"org-{number}"
        found.setdefault(tenant_partition(name, PARTITIONS), name)
        if len(found) == PARTITIONS:
            break
    return [found[p] for p in range(PARTITIONS)]


TENANTS = tenant_per_partition()


def tenant_phases(seed: int, tenant: str) -> list[list[SourceItem]]:
    """A tenant's simulated org split into three phases of ``PHASE_EVENTS`` events."""
    spec = OrgSpec(seed=seed, tenant=tenant, events_per_hour=60.0)
    start = parse_time("2025-10-01T00:00:00Z")
    items = list(OrgSimulator(spec, 3 * PHASE_EVENTS, start).records())
    first, rest = split_after_events(items, PHASE_EVENTS)
    second, third = split_after_events(rest, PHASE_EVENTS)
    return [first, second, third]


def interleaved(streams: Iterable[Sequence[SourceItem]]) -> list[SourceItem]:
    """One item of each stream in turn, every stream keeping its own order."""
    rounds = itertools.zip_longest(*streams)
    return [item for items in rounds for item in items if item is not None]


def simulated_phases() -> list[list[SourceItem]]:
    """Every tenant's events of each phase, interleaved."""
    tenants = [tenant_phases(seed, t) for seed, t in enumerate(TENANTS, start=21)]
    return [interleaved(phase) for phase in zip(*tenants, strict=True)]


def group_settings(pipeline: Settings) -> tuple[Settings, Settings]:
    """Two workers of one app (same id and topics), with their own web ports and data dirs."""
    first = pipeline.model_copy(update={"session_timeout_seconds": 6.0})
    second = first.model_copy(
        update={"web_port": free_ports(1)[0], "data_dir": first.data_dir.with_name("second")}
    )
    return first, second


def split_served(workers: Sequence[WorkerProcess], expected: Expectation) -> bool:
    """Whether each tenant is served by exactly one worker, with the expected snapshots, and
    answered 404 by the other."""
    for tenant in TENANTS:
        serving = [w for w in workers if w.serves(tenant)]
        if len(serving) != 1 or not serving[0].snapshots_equal(tenant, expected.snapshots(tenant)):
            return False
    return True


def all_committed(settings: Settings) -> bool:
    """Whether the worker group has committed every offset of the interactions topic."""
    return uncommitted(settings.bootstrap, settings.app_id, settings.topic_interactions) == 0


def processed_by_tenant(workers: Iterable[WorkerProcess]) -> dict[str, float]:
    """Processed events per tenant, added up over workers."""
    total: dict[str, float] = {}
    for worker in workers:
        for tenant, count in worker.counter_by(PROCESSED, "tenant").items():
            total[tenant] = total.get(tenant, 0.0) + count
    return total


def await_all(worker: WorkerProcess, expected: Expectation) -> None:
    """Wait until ``worker`` serves every tenant with its expected snapshots."""
    for tenant in TENANTS:
        worker.await_snapshots(tenant, expected.snapshots(tenant), timeout=120)


def test_workers_join_share_and_take_over_tenants_without_loss_or_double_counts(
    pipeline: Settings,
) -> None:
    assert [default_partition(t.encode(), PARTITIONS) for t in TENANTS] == list(range(PARTITIONS))
    phases = simulated_phases()
    expected = [expect(itertools.chain(*phases[: n + 1]), pipeline) for n in range(3)]
    workers = [WorkerProcess(settings) for settings in group_settings(pipeline)]
    try:
        workers[0].start()
        Replay(phases[0]).run(Emitter(pipeline))
        await_all(workers[0], expected[0])
        wait_for(lambda: all_committed(pipeline), 60, "every offset committed")

        workers[1].start()
        wait_for(lambda: all(w.healthy() for w in workers), 60, "both workers settled")
        Replay(phases[1]).run(Emitter(pipeline))
        wait_for(lambda: split_served(workers, expected[1]), 120, "tenants split over both")
        assert all(any(w.serves(t) for t in TENANTS) for w in workers)
        assert processed_by_tenant(workers) == expected[1].processed()

        victim, survivor = workers if workers[0].serves(TENANTS[0]) else workers[::-1]
        own = {t for t in TENANTS if survivor.serves(t)}
        counted_before = survivor.counter_by(PROCESSED, "tenant")
        wait_for(lambda: all_committed(pipeline), 60, "every offset committed")
        victim.stop(signal.SIGKILL)
        await_all(survivor, expected[1])

        Replay(phases[2]).run(Emitter(pipeline))
        await_all(survivor, expected[2])
        previous, final = expected[1].processed(), expected[2].processed()
        assert survivor.counter_by(PROCESSED, "tenant") == {
            t: counted_before.get(t, 0.0) + final[t] - previous[t] for t in TENANTS
        }
        assert survivor.metrics().get("orgpulse_events_duplicate_total", 0.0) == 0.0
        assert own and len(own) < len(TENANTS)
    finally:
        for worker in workers:
            worker.stop()
