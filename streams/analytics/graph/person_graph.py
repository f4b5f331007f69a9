"""The person graphs of every window of a tenant in one edge map, updated in place with
their team aggregates; :class:`WindowGraph` reads one window of it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from streams.analytics.directory import Directory
from streams.analytics.graph.teams import Slots, TeamAggregates, TeamView
from streams.analytics.pairs import Edge

EdgeStats = Mapping[Edge, list[int]]
"""Aggregated edge deltas: ``(actor, target) → [pair count, weight in micro-units]``."""


class GraphStore:
    """Directed person graphs of ``width`` nested windows, sharing one edge map.

    ``edges[(a, b)]`` is ``[count_0, …, count_{w-1}, weight_0, …, weight_{w-1}]``: pair
    occurrences and integer weight of the edge in each window slot. An edge is in a window
    while its count there is positive, and kept while it is in any window; a person is a
    node of a window while they have an edge there. A pair delta costs one lookup in the
    edge map plus O(1) per slot; relabelling a person after a directory move costs
    O(degree · width) through their incident edges (``incident``).
    """

    def __init__(self, directory: Directory, width: int) -> None:
        self.width = width
        self.directory = directory
        self.edges: dict[Edge, list[int]] = {}
        self.incident: dict[str, set[Edge]] = {}
        """Edges kept (in any window) with the person at either end."""
        self.degree: dict[str, list[int]] = {}
        """Per slot, the number of the person's incident edges in that window."""
        self.teams = TeamAggregates(width)
        self.pairs = [0] * width
        self.edge_count = [0] * width
        self.reciprocated = [0] * width
        self.people = [0] * width

    def add_pairs(self, actor: str, targets: Iterable[str], weight: int, slots: Slots) -> None:
        """Add one pair ``actor → target`` of ``weight`` per target to ``slots``."""
        team_of = self.directory.team_of
        team_a = team_of(actor)
        for target in targets:
            self._add(actor, team_a, target, team_of(target), 1, weight, slots)

    def add_stats(self, stats: EdgeStats, sign: int, slots: Slots) -> None:
        """Add (``sign`` = 1) or subtract (``sign`` = -1) aggregated edge deltas in ``slots``."""
        team_of = self.directory.team_of
        for (a, b), (count, weight) in stats.items():
            self._add(a, team_of(a), b, team_of(b), sign * count, sign * weight, slots)

    def add(self, a: str, b: str, count: int, weight: int, slots: Slots) -> None:
        """Add (or, with negative values, subtract) ``count`` pairs of total ``weight``."""
        team_of = self.directory.team_of
        self._add(a, team_of(a), b, team_of(b), count, weight, slots)

    def relabel(self, person: str, old_team: str, new_team: str) -> None:
        """Move ``person``'s contributions from ``old_team`` to ``new_team`` in every window."""
        if person not in self.incident or old_team == new_team:
            return
        teams, width, team_of = self.teams, self.width, self.directory.team_of
        for slot, degree in enumerate(self.degree[person]):
            if degree:
                teams.activate(old_team, (slot,), -1)
                teams.activate(new_team, (slot,), +1)
        for a, b in self.incident[person]:
            entry = self.edges[(a, b)]
            for team, sign in ((old_team, -1), (new_team, +1)):
                team_a = team if a == person else team_of(a)
                team_b = team if b == person else team_of(b)
                for slot in range(width):
                    if entry[slot]:
                        teams.apply(a, team_a, b, team_b, sign * entry[width + slot], (slot,))
                        teams.presence(team_a, team_b, (slot,), sign)

    def _add(
        self, a: str, team_a: str, b: str, team_b: str, count: int, weight: int, slots: Slots
    ) -> None:
        edge, width, pairs = (a, b), self.width, self.pairs
        entry = self.edges.get(edge)
        if entry is None:  # a new edge: it appears in every slot it is added to
            entry = self.edges[edge] = [0] * (2 * width)
            self._attach(a, edge)
            self._attach(b, edge)
            for slot in slots:
                entry[slot], entry[width + slot] = count, weight
                pairs[slot] += count
            self._presence(a, team_a, b, team_b, slots, +1)
        else:
            appeared, left = [], []
            for slot in slots:
                before = entry[slot]
                entry[slot] = before + count
                entry[width + slot] += weight
                pairs[slot] += count
                if not before:
                    appeared.append(slot)
                elif before == -count:
                    left.append(slot)
            if appeared:
                self._presence(a, team_a, b, team_b, tuple(appeared), +1)
            if left:
                self._presence(a, team_a, b, team_b, tuple(left), -1)
        self.teams.apply(a, team_a, b, team_b, weight, slots)
        if count < 0 and not any(entry[:width]):
            del self.edges[edge]
            self._detach(a, edge)
            self._detach(b, edge)

    def _presence(self, a: str, team_a: str, b: str, team_b: str, slots: Slots, sign: int) -> None:
        """Edge ``a → b`` appears (+1) in or leaves (-1) the windows ``slots``."""
        edge_count = self.edge_count
        for slot in slots:
            edge_count[slot] += sign
        reverse = self.edges.get((b, a))
        if reverse is not None:
            reciprocated = self.reciprocated
            for slot in slots:
                if reverse[slot]:
                    reciprocated[slot] += 2 * sign
        self._degree(a, team_a, slots, sign)
        self._degree(b, team_b, slots, sign)
        self.teams.presence(team_a, team_b, slots, sign)

    def _degree(self, person: str, team: str, slots: Slots, sign: int) -> None:
        """``person``'s degree changes by ``sign`` in ``slots``; they become a node there or
        stop being one."""
        degrees, people = self.degree[person], self.people
        changed = []
        for slot in slots:
            before = degrees[slot]
            after = degrees[slot] = before + sign
            if not before or not after:
                people[slot] += sign
                changed.append(slot)
        if changed:
            self.teams.activate(team, tuple(changed), sign)

    def _attach(self, person: str, edge: Edge) -> None:
        incident = self.incident.get(person)
        if incident is None:
            self.incident[person] = {edge}
            self.degree[person] = [0] * self.width
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
        return self.store.pairs[self.slot]

    @property
    def edges(self) -> int:
        """Distinct directed person edges in the window."""
        return self.store.edge_count[self.slot]

    @property
    def reciprocated(self) -> int:
        """Edges of the window whose reverse edge is in the window too."""
        return self.store.reciprocated[self.slot]

    @property
    def people(self) -> int:
        """People with at least one edge in the window."""
        return self.store.people[self.slot]

    def edge_items(self) -> Iterator[tuple[str, str, int, int]]:
        """``(actor, target, count, weight_micro)`` for every edge of the window."""
        slot, weight = self.slot, self.store.width + self.slot
        for (a, b), entry in self.store.edges.items():
            if entry[slot]:
                yield a, b, entry[slot], entry[weight]

    def nodes(self) -> Iterator[str]:
        """The people of the window."""
        slot = self.slot
        return (person for person, degrees in self.store.degree.items() if degrees[slot])
