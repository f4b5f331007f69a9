"""Hidden silos: Louvain communities that cut across formal teams.

Louvain is heavy (seconds for 100k people), so it runs off the event loop: :func:`prepare`
copies what it needs from a live window (O(edges), on the loop) and :func:`hidden_silos`
works on that copy only. The pass is igraph's multilevel algorithm (Blondel et al.'s
Louvain, in C) seeded through a private :class:`random.Random`; networkx's
``louvain_communities`` is the reference the tests compare it with.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import NamedTuple

import igraph

from streams.analytics.directory import Directory
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.pairs import from_micro
from streams.model import UNASSIGNED

_RNG_LOCK = threading.Lock()
"""igraph's random number generator is process-wide: one seeded pass at a time."""


class LouvainInput(NamedTuple):
    """An independent copy of a window's directed edges ``(actor, target, weight_micro)``
    and of its people's teams."""

    edges: list[tuple[str, str, int]]
    teams: dict[str, str]


class Undirected(NamedTuple):
    """The undirected weighted graph of a window: people sorted, ``pairs`` as indices into
    ``people`` (``i < j``, sorted) with weight(i, j) = w(i→j) + w(j→i) in ``weights``."""

    people: list[str]
    pairs: list[tuple[int, int]]
    weights: list[float]


def prepare(window: WindowGraph, directory: Directory) -> LouvainInput:
    """Copy a window for :func:`hidden_silos` (O(edges))."""
    edges = [(a, b, weight) for a, b, _count, weight in window.edge_items()]
    return LouvainInput(edges, {person: directory.team_of(person) for person in window.nodes()})


def undirected(source: LouvainInput) -> Undirected:
    """The undirected graph of a copied window, in sorted order, so that a seeded Louvain
    pass does not depend on the order events arrived in."""
    weights: Counter[tuple[str, str]] = Counter()
    for a, b, weight in source.edges:
        weights[(a, b) if a < b else (b, a)] += weight
    people = sorted(source.teams)
    index = {person: i for i, person in enumerate(people)}
    merged = sorted(weights.items())
    return Undirected(
        people,
        [(index[a], index[b]) for (a, b), _ in merged],
        [from_micro(weight) for _, weight in merged],
    )


def communities(graph: Undirected, seed: int = 0) -> list[set[str]]:
    """Louvain communities (igraph multilevel, best level) of ``graph``, seeded."""
    network = igraph.Graph(n=len(graph.people), edges=graph.pairs)
    with _RNG_LOCK:
        igraph.set_random_number_generator(random.Random(seed))
        clustering = network.community_multilevel(weights=graph.weights)
    return [{graph.people[i] for i in members} for members in clustering]


def hidden_silos(
    source: LouvainInput, min_group_size: int, seed: int = 0, max_share: float = 0.8
) -> int:
    """Count Louvain communities of ≥ ``min_group_size`` people whose largest formal team holds
    less than ``max_share`` of them (``unassigned`` people count as members of no team)."""
    if not source.edges:
        return 0
    return sum(
        1
        for community in communities(undirected(source), seed)
        if len(community) >= min_group_size and _largest_share(community, source.teams) < max_share
    )


def _largest_share(community: set[str], teams: dict[str, str]) -> float:
    counts = Counter(teams[person] for person in community if teams[person] != UNASSIGNED)
    return max(counts.values(), default=0) / len(community)
