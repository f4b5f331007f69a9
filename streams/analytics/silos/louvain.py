"""Hidden silos: Louvain communities that cut across formal teams.

Louvain is heavy (seconds for 100k people), so it runs off the event loop: :func:`prepare`
copies what it needs from a live window into flat arrays (O(edges), on the loop) and
:func:`hidden_silos` works on that copy only, in numpy and igraph. The pass is igraph's
multilevel algorithm (Blondel et al.'s Louvain, in C) seeded through a private
:class:`random.Random`; networkx's ``louvain_communities`` is the reference the tests
compare it with.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import NamedTuple

import igraph
import numpy as np
from numpy.typing import NDArray

from streams.analytics.directory import Directory
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.pairs import MICRO
from streams.model import UNASSIGNED

_RNG_LOCK = threading.Lock()
"""igraph's random number generator is process-wide: one seeded pass at a time."""


class LouvainInput(NamedTuple):
    """An independent copy of a window: its people sorted, their teams, and its directed
    edges ``actors[k] → targets[k]`` (indices into ``people``) of ``weights[k]`` micro-units
    (floats: exact up to 2**53 micro-units an edge)."""

    people: list[str]
    teams: list[str]
    actors: NDArray[np.int64]
    targets: NDArray[np.int64]
    weights: NDArray[np.float64]


class Undirected(NamedTuple):
    """The undirected weighted graph of a window: people sorted, ``pairs`` as indices into
    ``people`` (``i <= j``, sorted) with weight(i, j) = w(i→j) + w(j→i) in ``weights``."""

    people: list[str]
    pairs: list[tuple[int, int]]
    weights: list[float]


def prepare(window: WindowGraph, directory: Directory) -> LouvainInput:
    """Copy a window for :func:`hidden_silos` (O(edges), one pass over its edge map)."""
    people = sorted(window.nodes())
    index = {person: i for i, person in enumerate(people)}
    actors, targets, weights = window.edge_arrays(index)
    return LouvainInput(
        people,
        [directory.team_of(person) for person in people],
        np.frombuffer(actors, dtype=np.int64),
        np.frombuffer(targets, dtype=np.int64),
        np.frombuffer(weights, dtype=np.float64),
    )


def undirected(source: LouvainInput) -> Undirected:
    """The undirected graph of a copied window, in sorted order, so that a seeded Louvain
    pass does not depend on the order events arrived in (vectorized: the edges are sorted by
    their unordered pair and each run of one pair summed)."""
    size = len(source.people)
    if not source.weights.size:
        return Undirected(source.people, [], [])
    low = np.minimum(source.actors, source.targets)
    high = np.maximum(source.actors, source.targets)
    keys = low * size + high
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    summed = np.add.reduceat(source.weights[order], starts)
    merged = keys[starts]
    return Undirected(
        source.people,
        list(zip((merged // size).tolist(), (merged % size).tolist(), strict=True)),
        (summed / MICRO).tolist(),
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
    if not source.weights.size:
        return 0
    teams = dict(zip(source.people, source.teams, strict=True))
    return sum(
        1
        for community in communities(undirected(source), seed)
        if len(community) >= min_group_size and _largest_share(community, teams) < max_share
    )


def _largest_share(community: set[str], teams: dict[str, str]) -> float:
    counts = Counter(teams[person] for person in community if teams[person] != UNASSIGNED)
    return max(counts.values(), default=0) / len(community)
