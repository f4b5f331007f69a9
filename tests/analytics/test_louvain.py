"""Hidden silos from seeded Louvain (igraph) on a copy of a window; networkx's Louvain is
the reference."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from streams.analytics.silos.louvain import (
    Undirected,
    communities,
    hidden_silos,
    prepare,
    undirected,
)
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


def state_for(pairs: list[tuple[str, str, float]], directory: dict[str, str]) -> TenantState:
    state = TenantState(TENANT, CONFIG, directory)
    for n, (a, b, w) in enumerate(pairs):
        state.apply(event(f"e{n}", 0, a, [b], w))
    return state


def clustered_state(seed: int) -> TenantState:
    return state_for([(a, b, 1.0) for a, b in clustered_events(seed)], DIRECTORY)


def to_networkx(graph: Undirected) -> nx.Graph:
    reference = nx.Graph()
    reference.add_nodes_from(graph.people)
    for (i, j), weight in zip(graph.pairs, graph.weights, strict=True):
        reference.add_edge(graph.people[i], graph.people[j], weight=weight)
    return reference


def planted(seed: int) -> tuple[list[tuple[str, str, float]], list[set[str]]]:
    """Pairs of 3-6 dense groups of 6-10 people (every ordered pair within a group, weights
    1-3) and a few light pairs between groups: the communities are unambiguous."""
    rnd = random.Random(seed)
    groups = [{f"g{g}p{i}" for i in range(rnd.randint(6, 10))} for g in range(rnd.randint(3, 6))]
    pairs = [
        (a, b, float(rnd.randint(1, 3)))
        for group in groups
        for a, b in itertools.permutations(sorted(group), 2)
    ]
    people = sorted(set().union(*groups))
    for _ in range(len(groups)):
        a, b = rnd.sample(people, 2)
        pairs.append((a, b, 0.1))
    rnd.shuffle(pairs)
    return pairs, groups


def test_community_across_teams_is_a_hidden_silo() -> None:
    state = clustered_state(0)
    source = prepare(state.windows.graphs["1d"], state.directory)
    assert hidden_silos(source, min_group_size=5) == 1
    assert hidden_silos(source, min_group_size=7) == 0


def test_undirected_weights_sum_both_directions_like_the_naive_graph() -> None:
    state = clustered_state(1)
    expected = naive.undirected([(a, b, 1.0) for a, b in clustered_events(1)])
    actual = undirected(prepare(state.windows.graphs["1d"], state.directory))
    assert actual.people == sorted(actual.people) and actual.pairs == sorted(actual.pairs)
    assert nx.utils.graphs_equal(to_networkx(actual), expected)


def test_undirected_sums_weighted_pairs_of_both_directions_like_the_naive_graph() -> None:
    for seed in range(10):
        pairs, _ = planted(seed)
        state = state_for(pairs, {})
        expected = naive.undirected(pairs)
        graph = undirected(prepare(state.windows.graphs["1d"], state.directory))
        assert graph.people == sorted(expected) and graph.pairs == sorted(graph.pairs)
        actual = {
            frozenset((graph.people[i], graph.people[j])): weight
            for (i, j), weight in zip(graph.pairs, graph.weights, strict=True)
        }
        assert len(actual) == len(graph.pairs) == expected.number_of_edges()
        assert actual == pytest.approx(
            {frozenset((a, b)): data["weight"] for a, b, data in expected.edges(data=True)}
        )


def test_igraph_louvain_finds_the_planted_communities_like_networkx() -> None:
    for seed in range(20):
        pairs, groups = planted(seed)
        state = state_for(pairs, {})
        graph = undirected(prepare(state.windows.graphs["1d"], state.directory))
        reference = nx.community.louvain_communities(
            naive.undirected(pairs), weight="weight", seed=seed
        )
        expected = sorted(map(sorted, groups))
        assert sorted(map(sorted, reference)) == expected
        assert sorted(map(sorted, communities(graph, seed))) == expected


def test_result_does_not_depend_on_arrival_order() -> None:
    runs = set()
    for seed in range(5):
        state = clustered_state(seed)
        graph = undirected(prepare(state.windows.graphs["1d"], state.directory))
        runs.add(frozenset(frozenset(c) for c in communities(graph, seed=0)))
    assert len(runs) == 1


def test_prepared_input_is_an_independent_copy() -> None:
    state = clustered_state(0)
    source = prepare(state.windows.graphs["1d"], state.directory)
    copied = [array.tolist() for array in (source.actors, source.targets, source.weights)]
    state.apply(event("late-joiner", 1, "m1", ["m2"], 5.0))
    state.apply(event("newcomer", 1, "z1", ["z2"], 1.0))
    state.set_team("m0", "C")
    after = [array.tolist() for array in (source.actors, source.targets, source.weights)]
    assert after == copied and "z1" not in source.people
    assert source.teams[source.people.index("m0")] == "B"


def test_empty_window_has_no_hidden_silos() -> None:
    state = TenantState(TENANT, CONFIG)
    source = prepare(state.windows.graphs["1d"], state.directory)
    assert hidden_silos(source, 5) == 0
    assert undirected(source) == Undirected([], [], [])
