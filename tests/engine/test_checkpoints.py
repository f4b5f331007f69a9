"""Checkpoints: a runtime rebuilt from the newest checkpoint and the deltas after it equals
one rebuilt from every delta and the live one; checkpoints are refused unless signed with the
worker's key, and a checkpoint counts only with all its parts."""

from __future__ import annotations

import gc
import secrets
from itertools import islice
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from streams.analytics.config import AnalyticsConfig
from streams.analytics.journal import Delta
from streams.analytics.knowledge.section import knowledge_section
from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawInteraction, RawPerson
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.engine.checkpoints import Checkpoints, collector_paused, parse_part_key, part_key
from streams.engine.runtime import Runtime
from streams.engine.sealed import CheckpointError, checkpoint_key
from streams.metrics.counters import WorkerMetrics
from streams.settings import Settings
from streams.timeutil import parse_time

TENANT = "acme"
KEY = checkpoint_key(secrets.token_bytes(32))
PART_BYTES = 16 * 1024


def runtime(store: dict[str, Delta], checkpoints: Checkpoints | None) -> Runtime:
    """A runtime on these stores, with the default analytics settings."""
    config = AnalyticsConfig.from_settings(Settings())
    return Runtime(config, store, WorkerMetrics(CollectorRegistry()), checkpoints)


def feed(live: Runtime, days: int = 40, batch: int = 300) -> None:
    """A simulated org in batches, as the ingest agent applies them: persist, then the due
    checkpoints (whose deltas the next batch's persist deletes)."""
    settings = Settings()
    builder = RecordBuilder(settings)
    simulator = OrgSimulator(
        OrgSpec(seed=3, events_per_hour=8.0), days * 24 * 8, parse_time("2026-02-01T00:00:00Z")
    )
    records = iter(simulator.records())
    while chunk := list(islice(records, batch)):
        people = [builder.person(r) for r in chunk if isinstance(r, RawPerson)]
        live.apply_directory((p["tenant"], p["person"], p) for p in people)
        live.apply_events(builder.interaction(r) for r in chunk if isinstance(r, RawInteraction))
        live.persist()
        due = live.due_checkpoints()
        for tenant in due:
            live.checkpoint(tenant)
        live.checkpointed(due)  # a dict store has every write at once


def views(rt: Runtime) -> dict[str, Any]:
    """Every window's snapshot and the knowledge section of the tenant."""
    slot = rt.slot(TENANT)
    return {
        "snapshots": {w: slot.state.snapshot(w) for w in rt.config.windows},
        "knowledge": knowledge_section(slot.state, slot.observers, 20),
        "counters": vars(slot.state.counters),
    }


@pytest.fixture(scope="module")
def checkpointed() -> tuple[Runtime, dict[str, Delta], dict[str, bytes]]:
    """A live runtime checkpointing every 1,000 events, and its two stores."""
    deltas: dict[str, Delta] = {}
    parts: dict[str, bytes] = {}
    live = runtime(deltas, Checkpoints(parts, KEY, 1_000, PART_BYTES))
    feed(live)
    live.persist()  # deletes what the last checkpoint replaced
    return live, deltas, parts


def test_rebuild_from_checkpoint_equals_live_and_full_replay(
    checkpointed: tuple[Runtime, dict[str, Delta], dict[str, bytes]],
) -> None:
    live, deltas, parts = checkpointed
    sequences = {parse_part_key(key).sequence for key in parts}
    assert len(sequences) == 1 and len(parts) > 1  # one checkpoint left, cut in parts
    (newest,) = sequences
    assert all(int(key.rpartition("/")[2]) >= newest for key in deltas)

    restored = runtime(dict(deltas), Checkpoints(dict(parts), KEY, 1_000, PART_BYTES))
    uninterrupted: dict[str, Delta] = {}
    feed(reference := runtime(uninterrupted, None))
    assert views(restored) == views(live) == views(reference)


def test_a_checkpoint_not_signed_with_the_key_is_refused(
    checkpointed: tuple[Runtime, dict[str, Delta], dict[str, bytes]],
) -> None:
    _, deltas, parts = checkpointed
    other = Checkpoints(dict(parts), checkpoint_key(secrets.token_bytes(32)), 1_000, PART_BYTES)
    with pytest.raises(CheckpointError):
        runtime(dict(deltas), other).slot(TENANT)
    tampered = dict(parts)
    first = min(tampered)
    tampered[first] = tampered[first][:-1] + bytes([tampered[first][-1] ^ 1])
    with pytest.raises(CheckpointError):
        runtime(dict(deltas), Checkpoints(tampered, KEY, 1_000, PART_BYTES)).slot(TENANT)
    with pytest.raises(CheckpointError):  # no key: the replaced deltas are gone
        runtime(dict(deltas), Checkpoints(dict(parts), None, 1_000, PART_BYTES)).slot(TENANT)


def test_an_incomplete_checkpoint_is_ignored(
    checkpointed: tuple[Runtime, dict[str, Delta], dict[str, bytes]],
) -> None:
    live, deltas, parts = checkpointed
    held = dict(parts)
    newest = max(parse_part_key(key).sequence for key in held)
    later = Checkpoints(held, KEY, 1_000, PART_BYTES)
    later.write(TENANT, newest + 1_000, b"x" * (3 * PART_BYTES))  # cut short below
    del held[max(held)]
    assert runtime(dict(deltas), later).slot(TENANT).stored.next_sequence >= newest
    assert views(runtime(dict(deltas), later)) == views(live)


def test_parts_left_by_an_unfinished_write_of_the_same_sequence_are_kept_apart(
    checkpointed: tuple[Runtime, dict[str, Delta], dict[str, bytes]],
) -> None:
    """A worker stopped mid-write leaves some parts of a checkpoint; the next worker writes
    that sequence again, cut into another number of parts: neither write's parts are taken
    for the other's."""
    live, deltas, parts = checkpointed
    (found,) = {parse_part_key(key) for key in parts if parse_part_key(key).part == 0}
    for more in (1, -1):  # the unfinished write had one part more, or one fewer
        if found.parts + more < 2:
            continue
        held = dict(parts)
        for part in range(found.parts + more - 1):  # all but its last part
            key = part_key(TENANT, found.sequence, part, found.parts + more, "0" * 8)
            held[key] = b"left by a stopped worker"
        assert views(runtime(dict(deltas), Checkpoints(held, KEY, 1_000, PART_BYTES))) == views(
            live
        )
        rewritten = Checkpoints(dict(held), KEY, 1_000, PART_BYTES)
        rewritten.write(TENANT, found.sequence, b"".join(parts[k] for k in sorted(parts)))
        left = {parse_part_key(key).write for key in rewritten.store}
        assert "0" * 8 not in left and found.write not in left and len(left) == 1


def test_the_collector_is_paused_only_within_the_block_and_left_as_found() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
