"""Random event streams: every metric of every window equals the naive networkx recompute."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings

from streams.analytics.graph import indices
from streams.analytics.tenant import TenantState

from . import naive
from .naive import Op
from .strategies import CONFIG, HOUR, op_streams, run

SPANS = CONFIG.spans()
LARGEST = max(SPANS.values())


def simulate(ops: list[Op]) -> tuple[naive.Replay, naive.SiloSim]:
    sim = naive.SiloSim(
        HOUR,
        SPANS[CONFIG.silo_window],
        CONFIG.max_targets,
        CONFIG.min_group_size,
        CONFIG.silo_enter_ei,
        CONFIG.silo_exit_ei,
        CONFIG.silo_consecutive,
    )
    ref = naive.replay(ops, HOUR, LARGEST, CONFIG.max_targets, before_accept=sim)
    return ref, sim


def expected_snapshot(ref: naive.Replay, sim: naive.SiloSim, window: str) -> dict[str, object]:
    assert ref.watermark is not None
    pairs = naive.window_pairs(ref.accepted, ref.watermark, HOUR, SPANS[window], CONFIG.max_targets)
    teams = naive.teams(pairs, ref.directory, CONFIG.min_group_size)
    for name, entry in teams.items():
        entry["siloed"] = name in sim.siloed
    iso = datetime.fromtimestamp(ref.watermark / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    named = naive.qualifying(pairs, ref.directory, CONFIG.min_group_size)
    flow = {
        f"{src}>{dst}": weight
        for (src, dst), weight in sorted(naive.flow(pairs, ref.directory).items())
        if src in named and dst in named
    }
    org = naive.org(pairs, ref.directory)
    return {"as_of": iso[:-3] + "Z", "org": org, "teams": teams, "flow": flow}


def flow_of(snap: dict[str, Any]) -> dict[str, float]:
    """The snapshot's flow list keyed ``src>dst``, checking it is sorted."""
    keys = [(entry["src"], entry["dst"]) for entry in snap["flow"]]
    assert keys == sorted(keys)
    return {f"{entry['src']}>{entry['dst']}": entry["weight"] for entry in snap["flow"]}


@settings(max_examples=300, deadline=None)
@given(ops=op_streams())
def test_snapshots_counters_and_silos_match_naive(ops: list[Op]) -> None:
    state, transitions = run(ops)
    ref, sim = simulate(ops)
    for window in CONFIG.windows:
        snap = state.snapshot(window)
        if ref.watermark is None:
            assert snap["as_of"] is None and snap["org"]["people"] == 0
            continue
        expected = expected_snapshot(ref, sim, window)
        actual = {**{k: snap[k] for k in expected}, "flow": flow_of(snap)}
        naive.assert_close(actual, expected)
    counters = state.counters
    assert (counters.late, counters.duplicate, counters.broadcast) == (
        ref.late,
        ref.duplicate,
        ref.broadcast,
    )
    assert counters.applied + counters.broadcast == len(ref.accepted)
    assert [tuple(t) for t in transitions] == sim.transitions


@settings(max_examples=200, deadline=None)
@given(ops=op_streams())
def test_exact_edges_and_team_flow_match_naive(ops: list[Op]) -> None:
    state, _ = run(ops)
    ref, _ = simulate(ops)
    for window, span in SPANS.items():
        graph = state.windows.graphs[window]
        expected: Counter[tuple[str, str]] = Counter()
        weights: Counter[tuple[str, str]] = Counter()
        if ref.watermark is not None:
            low = ref.watermark // HOUR - span + 1
            for e in ref.accepted:
                if e["occurred_at"] // HOUR >= low and len(e["targets"]) <= CONFIG.max_targets:
                    for t in e["targets"]:
                        if t != e["actor"]:
                            expected[(e["actor"], t)] += 1
                            weights[(e["actor"], t)] += round(e["weight"] * 1_000_000)
        actual = {(a, b): (c, w) for a, b, c, w in graph.edge_items()}
        assert actual == {k: (v, weights[k]) for k, v in expected.items()}
        people = sorted(graph.nodes())
        actors, targets, micro = graph.edge_arrays({p: i for i, p in enumerate(people)})
        copied = [(people[a], people[b], w) for a, b, w in zip(actors, targets, micro, strict=True)]
        assert sorted(copied) == sorted((a, b, float(weights[a, b])) for a, b in expected)
        pairs = [(a, b, w / 1e6) for (a, b), w in weights.items() for _ in [0]]
        flow = naive.flow(pairs, ref.directory)
        naive.assert_close(indices.team_flow(graph), flow)


@settings(max_examples=200, deadline=None)
@given(ops=op_streams())
def test_memory_is_bounded_by_the_largest_window(ops: list[Op]) -> None:
    state, _ = run(ops)
    windows = state.windows
    kept = dict(windows.buckets())
    if windows.current is None:
        assert not kept
        return
    assert all(windows.current - LARGEST < index <= windows.current for index in kept)
    ids = [i for bucket in kept.values() for i in bucket.events]
    assert len(ids) == len(set(ids))
    assert all(windows.seen(i) for i in ids)
    assert not any(windows.seen(f"e{n}") for n in range(200) if f"e{n}" not in ids)


def test_state_from_empty_directory_and_no_events_is_empty() -> None:
    state = TenantState("acme", CONFIG)
    snap = state.snapshot("6h")
    assert snap["as_of"] is None
    assert snap["org"] == {"people": 0, "pairs": 0, "modularity": None, "reciprocity": None}
    assert snap["teams"] == {}
