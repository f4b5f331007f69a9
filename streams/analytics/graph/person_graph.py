"""The person graph of one rolling window, updated in place with its team aggregates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from streams.analytics.directory import Directory
from streams.analytics.graph.teams import TeamAggregates
from streams.analytics.pairs import Edge

EdgeStats = Mapping[Edge, list[int]]
"""Aggregated edge deltas: ``(actor, target) → [pair count, weight in micro-units]``."""


class WindowGraph:
    """Directed person graph of one window plus org and team aggregates.

    ``graph`` is a ``networkx.DiGraph`` whose edges carry ``count`` (pair occurrences) and
    ``weight_micro`` (integer weight); an edge exists while its count is positive and a node
    while it has an edge. Every update costs O(1) per edge delta; relabelling a person after
    a directory move costs O(degree). ``teams.active`` counts the people of each team who are
    nodes (have a pair in the window).
    """

    def __init__(self, directory: Directory) -> None:
        self.graph = nx.DiGraph()
        self.teams = TeamAggregates()
        self.pairs = 0
        self.edges = 0
        self.reciprocated = 0
        self._directory = directory

    def add(self, a: str, b: str, count: int, weight: int) -> None:
        """Add (or, with negative values, subtract) ``count`` pairs of total ``weight``."""
        self.pairs += count
        data = self.graph.get_edge_data(a, b)
        team_a, team_b = self._directory.team_of(a), self._directory.team_of(b)
        if data is None:
            self._arrive(a, team_a)
            self._arrive(b, team_b)
            self.graph.add_edge(a, b, count=count, weight_micro=weight)
            self._presence(a, b, +1)
            self.teams.apply(a, team_a, b, team_b, weight, +1)
            return
        data["count"] += count
        data["weight_micro"] += weight
        if data["count"]:
            self.teams.apply(a, team_a, b, team_b, weight, 0)
            return
        self.graph.remove_edge(a, b)
        self._presence(a, b, -1)
        self.teams.apply(a, team_a, b, team_b, weight, -1)
        self._drop_if_isolated(a)
        self._drop_if_isolated(b)

    def add_stats(self, stats: EdgeStats, sign: int) -> None:
        """Add (``sign`` = 1) or subtract (``sign`` = -1) a bucket's aggregated edge deltas."""
        for (a, b), (count, weight) in stats.items():
            self.add(a, b, sign * count, sign * weight)

    def relabel(self, person: str, old_team: str, new_team: str) -> None:
        """Move ``person``'s contributions from ``old_team`` to ``new_team`` in O(degree)."""
        if person not in self.graph or old_team == new_team:
            return
        self.teams.activate(old_team, -1)
        self.teams.activate(new_team, +1)
        incident = [
            *self.graph.out_edges(person, data="weight_micro"),
            *self.graph.in_edges(person, data="weight_micro"),
        ]
        for team, sign in ((old_team, -1), (new_team, +1)):
            for a, b, weight in incident:
                team_a = team if a == person else self._directory.team_of(a)
                team_b = team if b == person else self._directory.team_of(b)
                self.teams.apply(a, team_a, b, team_b, sign * weight, sign)

    def edge_items(self) -> Iterable[tuple[str, str, int, int]]:
        """``(actor, target, count, weight_micro)`` for every edge, in graph order."""
        for a, b, data in self.graph.edges(data=True):
            yield a, b, data["count"], data["weight_micro"]

    def _presence(self, a: str, b: str, sign: int) -> None:
        self.edges += sign
        if self.graph.has_edge(b, a):
            self.reciprocated += 2 * sign

    def _arrive(self, person: str, team: str) -> None:
        if person not in self.graph:
            self.teams.activate(team, +1)

    def _drop_if_isolated(self, person: str) -> None:
        if not (self.graph.succ[person] or self.graph.pred[person]):
            self.graph.remove_node(person)
            self.teams.activate(self._directory.team_of(person), -1)
