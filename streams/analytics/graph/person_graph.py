"""The person graphs of every window of a tenant in one edge map, updated in place with
their team aggregates; :class:`WindowGraph` reads one window of it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from streams.analytics.directory import Directory
from streams.analytics.graph.teams import Slots, TeamAggregates, TeamView, lane, nonzero, unit
from streams.analytics.pairs import Edge

EdgeStats = Mapping[Edge, list[int]]
"""Aggregated edge deltas: ``(actor, target) → [pair count, weight in micro-units]``."""


class GraphStore:
    """Directed person graphs of ``width`` windows, sharing one edge map.

    ``edges[(a, b)]`` is ``[counts, weights]``: pair occurrences and integer weight of the
    edge packed with one lane per window slot (:mod:`~streams.analytics.graph.teams`), so a
    pair added to every window costs one lookup and two integer additions. An edge is in a
    window while its count lane is positive, and kept while it is in any window; a person is
    a node of a window while they have an edge there. ``pairs``, ``edge_count``,
    ``reciprocated`` and ``people`` are packed too. Relabelling a person after a directory
    move costs O(degree) through their incident edges (``incident``).
    """

    def __init__(self, directory: Directory, width: int) -> None:
        self.width = width
        self.directory = directory
        self.edges: dict[Edge, list[int]] = {}
        self.incident: dict[str, set[Edge]] = {}
        """Edges kept (in any window) with the person at either end."""
        self.degree: dict[str, int] = {}
        """Per window lane, the number of the person's incident edges in that window."""
        self.teams = TeamAggregates()
        self.pairs = 0
        self.edge_count = 0
        self.reciprocated = 0
        self.people = 0
        self._units: dict[Slots, int] = {}

    def add_pairs(self, actor: str, targets: Iterable[str], weight: int, slots: Slots) -> None:
        """Add one pair ``actor → target`` of ``weight`` per target to ``slots``."""
        team_of, one = self.directory.team_of, self._unit(slots)
        team_a = team_of(actor)
        for target in targets:
            self._add(actor, team_a, target, team_of(target), 1, weight, one)

    def add_stats(self, stats: EdgeStats, sign: int, slots: Slots) -> None:
        """Add (``sign`` = 1) or subtract (``sign`` = -1) aggregated edge deltas in ``slots``."""
        team_of, one = self.directory.team_of, self._unit(slots)
        for (a, b), (count, weight) in stats.items():
            self._add(a, team_of(a), b, team_of(b), sign * count, sign * weight, one)

    def add(self, a: str, b: str, count: int, weight: int, slots: Slots) -> None:
        """Add (or, with negative values, subtract) ``count`` pairs of total ``weight``."""
        team_of = self.directory.team_of
        self._add(a, team_of(a), b, team_of(b), count, weight, self._unit(slots))

    def relabel(self, person: str, old_team: str, new_team: str) -> None:
        """Move ``person``'s contributions from ``old_team`` to ``new_team`` in every window."""
        if person not in self.incident or old_team == new_team:
            return
        teams, team_of = self.teams, self.directory.team_of
        present = nonzero(self.degree[person], self.width)
        teams.activate(old_team, -present)
        teams.activate(new_team, present)
        for a, b in self.incident[person]:
            counts, weights = self.edges[(a, b)]
            here = nonzero(counts, self.width)
            for team, sign in ((old_team, -1), (new_team, +1)):
                team_a = team if a == person else team_of(a)
                team_b = team if b == person else team_of(b)
                teams.apply(a, team_a, b, team_b, sign * weights)
                teams.presence(team_a, team_b, sign * here)

    def _add(
        self, a: str, team_a: str, b: str, team_b: str, count: int, weight: int, one: int
    ) -> None:
        """Add ``count`` pairs of total ``weight`` to the windows of unit ``one``."""
        edge = (a, b)
        entry = self.edges.get(edge)
        self.pairs += count * one
        if entry is None:  # a new edge: it appears in every window it is added to
            self.edges[edge] = [count * one, weight * one]
            self._attach(a, edge)
            self._attach(b, edge)
            self._presence(a, team_a, b, team_b, one, +1)
        else:
            before = entry[0]
            after = entry[0] = before + count * one
            entry[1] += weight * one
            sign = 1 if count > 0 else -1
            changed = one & ~nonzero(before if sign > 0 else after, self.width)
            if changed:
                self._presence(a, team_a, b, team_b, changed, sign)
            if not after:  # in no window any more
                del self.edges[edge]
                self._detach(a, edge)
                self._detach(b, edge)
        self.teams.apply(a, team_a, b, team_b, weight * one)

    def _presence(self, a: str, team_a: str, b: str, team_b: str, one: int, sign: int) -> None:
        """Edge ``a → b`` appears (+1) in or leaves (-1) the windows of unit ``one``."""
        self.edge_count += sign * one
        reverse = self.edges.get((b, a))
        if reverse is not None:
            self.reciprocated += 2 * sign * (one & nonzero(reverse[0], self.width))
        self._degree(a, team_a, one, sign)
        self._degree(b, team_b, one, sign)
        self.teams.presence(team_a, team_b, sign * one)

    def _degree(self, person: str, team: str, one: int, sign: int) -> None:
        """``person``'s degree changes by ``sign`` in the windows of unit ``one``; where it was
        or becomes 0, they become a node of the window or stop being one."""
        before = self.degree[person]
        after = self.degree[person] = before + sign * one
        changed = one & ~nonzero(before if sign > 0 else after, self.width)
        if changed:
            self.people += sign * changed
            self.teams.activate(team, sign * changed)

    def _unit(self, slots: Slots) -> int:
        one = self._units.get(slots)
        if one is None:
            one = self._units[slots] = unit(slots)
        return one

    def _attach(self, person: str, edge: Edge) -> None:
        incident = self.incident.get(person)
        if incident is None:
            self.incident[person] = {edge}
            self.degree[person] = 0
        else:
            incident.add(edge)

    def _detach(self, person: str, edge: Edge) -> None:
        incident = self.incident[person]
        incident.discard(edge)
        if not incident:
            del self.incident[person]
            del self.degree[person]


class WindowGraph:
    """One window of a :class:`GraphStore`: its edges, people and team aggregates.

    ``teams.active`` counts the people of each team who are nodes (have a pair in the
    window). Every read is O(1) except :meth:`edge_items` and :meth:`nodes`.
    """

    def __init__(self, store: GraphStore, slot: int) -> None:
        self.store = store
        self.slot = slot
        self.teams = TeamView(store.teams, slot)

    @property
    def pairs(self) -> int:
        """Pair occurrences in the window."""
        return lane(self.store.pairs, self.slot)

    @property
    def edges(self) -> int:
        """Distinct directed person edges in the window."""
        return lane(self.store.edge_count, self.slot)

    @property
    def reciprocated(self) -> int:
        """Edges of the window whose reverse edge is in the window too."""
        return lane(self.store.reciprocated, self.slot)

    @property
    def people(self) -> int:
        """People with at least one edge in the window."""
        return lane(self.store.people, self.slot)

    def edge_items(self) -> Iterator[tuple[str, str, int, int]]:
        """``(actor, target, count, weight_micro)`` for every edge of the window."""
        slot = self.slot
        for (a, b), (counts, weights) in self.store.edges.items():
            count = lane(counts, slot)
            if count:
                yield a, b, count, lane(weights, slot)

    def nodes(self) -> Iterator[str]:
        """The people of the window."""
        slot = self.slot
        return (person for person, degree in self.store.degree.items() if lane(degree, slot))
