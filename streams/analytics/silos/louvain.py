"""Hidden silos: Louvain communities that cut across formal teams.

Louvain is heavy (seconds for 10k people), so it runs off the event loop: :func:`prepare`
copies what it needs from a live window (O(edges), on the loop) and :func:`hidden_silos`
works on that copy only.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import networkx as nx

from streams.analytics.directory import Directory
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.pairs import from_micro
from streams.model import UNASSIGNED


class LouvainInput(NamedTuple):
    """An independent copy of a window's undirected graph and its people's teams."""

    graph: nx.Graph
    teams: dict[str, str]


def undirected(window: WindowGraph) -> nx.Graph:
    """Undirected graph with weight(u, v) = w(u→v) + w(v→u), nodes and edges in sorted order.

    Sorted insertion makes seeded Louvain independent of the order events arrived in.
    """
    weights: Counter[tuple[str, str]] = Counter()
    for a, b, _count, weight in window.edge_items():
        weights[(a, b) if a < b else (b, a)] += weight
    graph = nx.Graph()
    graph.add_nodes_from(sorted(window.graph.nodes))
    graph.add_weighted_edges_from((a, b, from_micro(w)) for (a, b), w in sorted(weights.items()))
    return graph


def prepare(window: WindowGraph, directory: Directory) -> LouvainInput:
    """Copy a window for :func:`hidden_silos`."""
    graph = undirected(window)
    return LouvainInput(graph, {person: directory.team_of(person) for person in graph})


def hidden_silos(
    source: LouvainInput, min_group_size: int, seed: int = 0, max_share: float = 0.8
) -> int:
    """Count Louvain communities of ≥ ``min_group_size`` people whose largest formal team holds
    less than ``max_share`` of them (``unassigned`` people count as members of no team)."""
    if not source.graph.number_of_edges():
        return 0
    communities = nx.community.louvain_communities(source.graph, weight="weight", seed=seed)
    return sum(
        1
        for community in communities
        if len(community) >= min_group_size and _largest_share(community, source.teams) < max_share
    )


def _largest_share(community: set[str], teams: dict[str, str]) -> float:
    counts = Counter(teams[person] for person in community if teams[person] != UNASSIGNED)
    return max(counts.values(), default=0) / len(community)
