"""Exact integer aggregates: any order of additions and subtractions gives identical state."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from streams.analytics.directory import Directory
from streams.analytics.graph.person_graph import WindowGraph
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
    teams = window.teams
    return {
        "edges": sorted(window.edge_items()),
        "nodes": sorted(window.graph.nodes),
        "counts": (window.pairs, window.edges, window.reciprocated, teams.total),
        "internal": teams.internal,
        "external": teams.external,
        "partners": {t: dict(c) for t, c in teams.partners.items()},
        "flow": teams.flow,
        "bridges": teams.bridges,
    }


def fill(items: list[tuple[str, str, float]], sign: int, window: WindowGraph) -> None:
    for a, b, w in items:
        window.add(a, b, sign, sign * to_micro(w))


@given(deltas, st.randoms(use_true_random=False))
def test_any_addition_order_gives_identical_state(items: list[Any], rnd: random.Random) -> None:
    first, second = WindowGraph(Directory(DIRECTORY)), WindowGraph(Directory(DIRECTORY))
    fill(items, +1, first)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    fill(shuffled, +1, second)
    assert dump(first) == dump(second)


@given(deltas, st.randoms(use_true_random=False))
def test_adding_then_subtracting_in_any_order_leaves_nothing(
    items: list[Any], rnd: random.Random
) -> None:
    window = WindowGraph(Directory(DIRECTORY))
    empty = dump(window)
    fill(items, +1, window)
    shuffled = list(items)
    rnd.shuffle(shuffled)
    fill(shuffled, -1, window)
    assert dump(window) == empty


@given(deltas, deltas, st.randoms(use_true_random=False))
def test_interleaved_expiry_equals_fresh_build(
    old: list[Any], new: list[Any], rnd: random.Random
) -> None:
    window, fresh = WindowGraph(Directory(DIRECTORY)), WindowGraph(Directory(DIRECTORY))
    fill(old, +1, window)
    mixed = [(item, -1) for item in old] + [(item, +1) for item in new]
    rnd.shuffle(mixed)
    for (a, b, w), sign in mixed:
        window.add(a, b, sign, sign * to_micro(w))
    fill(new, +1, fresh)
    assert dump(window) == dump(fresh)
