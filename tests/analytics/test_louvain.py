"""Hidden silos from seeded Louvain on a copy of a window."""

from __future__ import annotations

import itertools
import random

import networkx as nx

from streams.analytics.silos.louvain import hidden_silos, prepare, undirected
from streams.analytics.tenant import TenantState

from . import naive
from .strategies import CONFIG, TENANT, event

MIXED = [f"m{i}" for i in range(6)]
PURE = [f"c{i}" for i in range(6)]
DIRECTORY = {**{p: "A" if i % 2 else "B" for i, p in enumerate(MIXED)}, **dict.fromkeys(PURE, "C")}


def clustered_events(seed: int) -> list[tuple[str, str]]:
    pairs = [*itertools.permutations(MIXED, 2), *itertools.permutations(PURE, 2), ("m0", "c0")]
    random.Random(seed).shuffle(pairs)
    return pairs


def state_for(seed: int) -> TenantState:
    state = TenantState(TENANT, CONFIG, DIRECTORY)
    for n, (a, b) in enumerate(clustered_events(seed)):
        state.apply(event(f"e{n}", 0, a, [b], 1.0))
    return state


def test_community_across_teams_is_a_hidden_silo() -> None:
    state = state_for(0)
    source = prepare(state.windows.graphs["1d"], state.directory)
    assert hidden_silos(source, min_group_size=5) == 1
    assert hidden_silos(source, min_group_size=7) == 0


def test_undirected_weights_sum_both_directions_like_the_naive_graph() -> None:
    state = state_for(1)
    pairs = [(a, b, 1.0) for a, b in clustered_events(1)]
    expected = naive.undirected(pairs)
    actual = undirected(state.windows.graphs["1d"])
    assert nx.utils.graphs_equal(actual, expected)


def test_result_does_not_depend_on_arrival_order() -> None:
    runs = set()
    for seed in range(5):
        state = state_for(seed)
        source = prepare(state.windows.graphs["1d"], state.directory)
        communities = nx.community.louvain_communities(source.graph, weight="weight", seed=0)
        runs.add(frozenset(frozenset(c) for c in communities))
    assert len(runs) == 1


def test_prepared_input_is_an_independent_copy() -> None:
    state = state_for(0)
    source = prepare(state.windows.graphs["1d"], state.directory)
    edges = source.graph.number_of_edges()
    state.apply(event("late-joiner", 1, "z1", ["z2"], 1.0))
    state.set_team("m0", "C")
    assert source.graph.number_of_edges() == edges and source.teams["m0"] == "B"


def test_empty_window_has_no_hidden_silos() -> None:
    state = TenantState(TENANT, CONFIG)
    assert hidden_silos(prepare(state.windows.graphs["1d"], state.directory), 5) == 0
