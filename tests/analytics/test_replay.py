"""Per-batch deltas and sealed checkpoints rebuild exactly the live state."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.knowledge.section import KnowledgeObservers
from streams.analytics.tenant import TenantState
from streams.engine.sealed import checkpoint_key, seal, unseal

from .naive import Op
from .strategies import CONFIG, HOUR, TENANT, event, op_streams, run
from .test_order_independence import dump

KEY = checkpoint_key(b"k" * 32)


def full_state(state: TenantState) -> dict[str, Any]:
    """What a state holds beyond its snapshots: buckets, dedup, directory, silo tracker,
    requests and held responses, counters, and every window graph."""
    feedback = state.feedback
    return {
        "buckets": [(i, b.pairs(), b.events) for i, b in state.windows.buckets()],
        "watermark": state.windows.watermark,
        "directory": sorted(state.directory.entries()),
        "silo": state.silo.to_dict(),
        "requests": [r.row() for i in sorted(feedback.by_bucket) for r in feedback.by_bucket[i]],
        "held": sorted(feedback.held()),
        "counters": vars(state.counters),
        "snapshots": [state.snapshot(w) for w in CONFIG.windows],
        "graphs": [dump(g) for g in state.windows.graphs.values()],
    }


def batches(ops: list[Op], cuts: list[int]) -> list[list[Op]]:
    bounds = [0, *sorted(c % (len(ops) + 1) for c in cuts), len(ops)]
    return [ops[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=150, deadline=None)
@given(op_streams(), st.lists(st.integers(0, 1000), max_size=6))
def test_replaying_deltas_equals_live_state(ops: list[Op], cuts: list[int]) -> None:
    live = TenantState(TENANT, CONFIG)
    deltas, live_transitions = [], []
    for batch in batches(ops, cuts):
        live_transitions += run(batch, live)[1]
        deltas.append(json.loads(json.dumps(live.take_delta())))
    replayed = TenantState(TENANT, CONFIG)
    replay_transitions = [t for delta in deltas for t in replayed.apply_delta(delta)]
    assert full_state(replayed) == full_state(live)
    assert replay_transitions == live_transitions
    assert replayed.take_delta()["ops"] == []


class Recorder:
    """An observer that records what it is fed."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        self.seen.append(("event", (event, directory.team_of(event.actor))))

    def expire(self, oldest_kept_ms: int) -> None:
        self.seen.append(("expire", oldest_kept_ms))


@settings(max_examples=100, deadline=None)
@given(op_streams(), st.lists(st.integers(0, 1000), max_size=6))
def test_observers_see_the_same_sequence_live_and_on_replay(ops: list[Op], cuts: list[int]) -> None:
    live_recorder, replay_recorder = Recorder(), Recorder()
    live = TenantState(TENANT, CONFIG, observers=[live_recorder])
    deltas = []
    for batch in batches(ops, cuts):
        run(batch, live)
        deltas.append(json.loads(json.dumps(live.take_delta())))
    replayed = TenantState(TENANT, CONFIG)
    replayed.add_observer(replay_recorder)
    for delta in deltas:
        replayed.apply_delta(delta)
    assert replay_recorder.seen == live_recorder.seen
    accepted = sum(1 for kind, _ in live_recorder.seen if kind == "event")
    assert accepted == live.counters.applied + live.counters.broadcast


def test_version_1_deltas_are_rejected() -> None:
    delta = {"version": 1, "tenant": TENANT, "ops": [], "late": 0, "duplicate": 0}
    with pytest.raises(ValueError):
        TenantState(TENANT, CONFIG).apply_delta(delta)


@settings(max_examples=150, deadline=None)
@given(op_streams(), op_streams())
def test_checkpoint_then_deltas_equals_live_state(first: list[Op], second: list[Op]) -> None:
    live, _ = run(first)
    live.take_delta()
    restored = unseal(seal(live, KnowledgeObservers(), KEY), KEY).state
    assert full_state(restored) == full_state(live)
    run(second[10:], live)
    restored.apply_delta(json.loads(json.dumps(live.take_delta())))
    assert full_state(restored) == full_state(live)


def test_a_checkpoint_of_state_larger_than_a_pickle_frame_round_trips() -> None:
    """Information latency's matrices of 3,000 people outgrow pickle's 64 KiB frames: the
    pickler hands them to the compressor as buffers of their own."""
    people = [f"q{i}" for i in range(3000)]
    observers = KnowledgeObservers()
    live = TenantState(TENANT, CONFIG)
    observers.attach(live)
    ops: list[Op] = [("dir", (p, f"T{i % 40}", False)) for i, p in enumerate(people)]
    ops += [
        ("event", event(f"b{i}", 10 * HOUR + i * 1000, p, [people[(7 * i + 1) % 3000]], 1.0))
        for i, p in enumerate(people)
    ]
    run(ops, live)
    live.take_delta()
    restored = unseal(seal(live, observers, KEY), KEY)
    assert full_state(restored.state) == full_state(live)
    assert [restored.observers.latency.view(p) for p in people] == [
        observers.latency.view(p) for p in people
    ]
    assert len(restored.observers.latency) == len(observers.latency) > 3000


def test_delta_of_another_tenant_is_rejected() -> None:
    delta = TenantState("other", CONFIG).take_delta()
    with pytest.raises(ValueError):
        TenantState(TENANT, CONFIG).apply_delta(delta)
