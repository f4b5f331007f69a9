"""Exact integer aggregates: any order of additions and subtractions gives identical state."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from streams.analytics.directory import Directory
from streams.analytics.graph.person_graph import GraphStore, WindowGraph
from streams.analytics.pairs import to_micro

PEOPLE = [f"p{i}" for i in range(8)]
DIRECTORY = {"p0": "A", "p1": "A", "p2": "A", "p3": "B", "p4": "B", "p5": "C"}

deltas = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(PEOPLE),
        st.sampled_from([1.0, 0.1, 1 / 3, 2.7, 1e-7]),
    ).filter(lambda d: d[0] != d[1]),
    max_size=60,
)


def dump(window: WindowGraph) -> dict[str, Any]:
    return {
        "edges": sorted(window.edge_items()),
        "nodes": sorted(window.nodes()),
        "counts": (window.pairs, window.edges, window.reciprocated, window.people),
        **window.teams.tables(),
    }


def dump_store(store: GraphStore) -> dict[str, Any]:
    """Every slot's view plus the raw shared maps (which must hold nothing extra)."""
    return {
        "slots": [dump(WindowGraph(store, slot)) for slot in range(store.width)],
        "out": store.out,
        "into": store.into,
        "degree": store.degree,
        "teams": vars(store.teams),
        "scalars": (store.pairs, store.edge_count, store.reciprocated, store.people),
    }


def new_window() -> WindowGraph:
    return WindowGraph(GraphStore(Directory(DIRECTORY), 1), 0)


def fill(items: list[tuple[str, str, float]], sign: int, window: WindowGraph) -> None:
    for a, b, w in items:
        window.store.add(a, b, sign, sign * to_micro(w), (0,))


@given(deltas, st.randoms(use_true_random=False))
def test_any_addition_order_gives_identical_state(items: list[Any], rnd: random.Random) -> None:
    first, second = new_window(), new_window()
    fill(items, +1, first)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    fill(shuffled, +1, second)
    assert dump(first) == dump(second)


@given(deltas, st.randoms(use_true_random=False))
def test_adding_then_subtracting_in_any_order_leaves_nothing(
    items: list[Any], rnd: random.Random
) -> None:
    window = new_window()
    empty = dump_store(window.store)
    fill(items, +1, window)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    fill(shuffled, -1, window)
    assert dump_store(window.store) == empty


@given(deltas, deltas, st.randoms(use_true_random=False))
def test_interleaved_expiry_equals_fresh_build(
    old: list[Any], new: list[Any], rnd: random.Random
) -> None:
    window, fresh = new_window(), new_window()
    fill(old, +1, window)
    mixed = [(item, -1) for item in old] + [(item, +1) for item in new]
    rnd.shuffle(mixed)
    for (a, b, w), sign in mixed:
        window.store.add(a, b, sign, sign * to_micro(w), (0,))
    fill(new, +1, fresh)
    assert dump(window) == dump(fresh)


slotted = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(PEOPLE),
        st.sampled_from([1.0, 0.1, 1 / 3, 0.0]),
        st.sets(st.integers(0, 2), min_size=1),
    ).filter(lambda d: d[0] != d[1]),
    max_size=60,
)


@given(slotted, st.randoms(use_true_random=False), st.sampled_from(PEOPLE), st.sampled_from("ABCD"))
def test_each_slot_of_a_shared_store_equals_a_window_built_alone(
    items: list[Any], rnd: random.Random, mover: str, team: str
) -> None:
    """Deltas to any subsets of three slots, some taken back in another order, and a
    directory move: each slot reads exactly like a one-window store fed its own deltas."""
    shared = GraphStore(Directory(DIRECTORY), 3)
    alone = [new_window() for _ in range(3)]
    undone = [item for item in items if rnd.random() < 0.3]
    for (a, b, w, slots), sign in [*((item, +1) for item in items), *((i, -1) for i in undone)]:
        shared.add(a, b, sign, sign * to_micro(w), tuple(sorted(slots)))
        for slot in slots:
            alone[slot].store.add(a, b, sign, sign * to_micro(w), (0,))
    for store in (shared, *(window.store for window in alone)):
        old = store.directory.set(mover, team)
        store.relabel(mover, old, team)
    assert [dump(WindowGraph(shared, slot)) for slot in range(3)] == [dump(w) for w in alone]
