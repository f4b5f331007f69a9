"""The person graphs of every window of a tenant in one edge map, updated in place with
their team aggregates; :class:`WindowGraph` reads one window of it."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence

from streams.analytics.directory import Directory
from streams.analytics.graph.teams import (
    LANE,
    LANE_BITS,
    Slots,
    TeamAggregates,
    TeamView,
    lane,
    nonzero,
    unit,
)

Adjacency = dict[str, dict[str, list[int]]]
"""``actor → target → [counts, weights]``: directed person edges with packed values."""
EdgeStats = Iterable[tuple[str, str, int, int]]
"""Aggregated edge deltas: ``(actor, target, pair count, weight in micro-units)``."""


class GraphStore:
    """Directed person graphs of ``width`` windows, sharing one edge map.

    ``out[a][b]`` is the edge ``a → b`` as ``[counts, weights]``: pair occurrences and
    integer weight packed with one lane per window slot (:mod:`~streams.analytics.graph.teams`),
    so a pair added to every window costs two lookups and two integer additions; ``into[b][a]``
    is the same list, for the edges into ``b``. An edge is in a window while its count lane is
    positive, and kept while it is in any window; a person is a node of a window while they
    have an edge there. ``pairs``, ``edge_count``, ``reciprocated`` and ``people`` are packed
    too. Relabelling a person after a directory move costs O(degree) through ``out`` and
    ``into``.
    """

    def __init__(self, directory: Directory, width: int) -> None:
        self.width = width
        self.directory = directory
        self.out: Adjacency = {}
        self.into: Adjacency = {}
        self.degree: dict[str, int] = {}
        """Per window lane, the number of the person's incident edges in that window; people
        without a kept edge have no entry."""
        self.teams = TeamAggregates(width)
        self.pairs = 0
        self.edge_count = 0
        self.reciprocated = 0
        self.people = 0
        self._units: dict[Slots, int] = {}

    def add_pairs(self, actor: str, targets: Sequence[str], weight: int, slots: Slots) -> None:
        """Add one pair ``actor → target`` of ``weight`` per target to ``slots`` (the hot
        path of ingestion: :meth:`add` for one target, with the lookups hoisted)."""
        one, width, teams = self._unit(slots), self.width, self.teams
        team_of = self.directory.team_of
        team_a = team_of(actor)
        out_a = self.out.get(actor)
        if out_a is None:
            out_a = self.out[actor] = {}
        packed = weight * one
        for target in targets:
            team_b = team_of(target)
            entry = out_a.get(target)
            if entry is None:
                self._insert(actor, team_a, target, team_b, out_a, [one, packed], one)
            else:
                before = entry[0]
                entry[0] = before + one
                entry[1] += packed
                appeared = one & ~nonzero(before, width)
                if appeared:
                    self._presence(actor, team_a, target, team_b, appeared, +1)
            teams.apply(actor, team_a, target, team_b, packed)
        self.pairs += len(targets) * one

    def add_stats(self, stats: EdgeStats, sign: int, slots: Slots) -> None:
        """Add (``sign`` = 1) or subtract (``sign`` = -1) aggregated edge deltas in ``slots``."""
        team_of, one = self.directory.team_of, self._unit(slots)
        for a, b, count, weight in stats:
            self._add(a, team_of(a), b, team_of(b), sign * count, sign * weight, one)

    def add(self, a: str, b: str, count: int, weight: int, slots: Slots) -> None:
        """Add (or, with negative values, subtract) ``count`` pairs of total ``weight``."""
        team_of = self.directory.team_of
        self._add(a, team_of(a), b, team_of(b), count, weight, self._unit(slots))

    def relabel(self, person: str, old_team: str, new_team: str) -> None:
        """Move ``person``'s contributions from ``old_team`` to ``new_team`` in every window."""
        if person not in self.degree or old_team == new_team:
            return
        teams, team_of = self.teams, self.directory.team_of
        present = nonzero(self.degree[person], self.width)
        teams.activate(old_team, -present)
        teams.activate(new_team, present)
        incident = [(person, b, entry) for b, entry in self.out.get(person, {}).items()]
        incident += [(a, person, entry) for a, entry in self.into.get(person, {}).items()]
        for a, b, (counts, weights) in incident:
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
        out_a = self.out.get(a)
        entry = None if out_a is None else out_a.get(b)
        self.pairs += count * one
        if entry is None:  # a new edge: it appears in every window it is added to
            if out_a is None:
                out_a = self.out[a] = {}
            self._insert(a, team_a, b, team_b, out_a, [count * one, weight * one], one)
        else:
            before = entry[0]
            after = entry[0] = before + count * one
            entry[1] += weight * one
            sign = 1 if count > 0 else -1
            changed = one & ~nonzero(before if sign > 0 else after, self.width)
            if changed:
                self._presence(a, team_a, b, team_b, changed, sign)
            if not after:  # in no window any more
                self._remove(a, b)
        self.teams.apply(a, team_a, b, team_b, weight * one)

    def _insert(
        self,
        a: str,
        team_a: str,
        b: str,
        team_b: str,
        out_a: dict[str, list[int]],
        entry: list[int],
        one: int,
    ) -> None:
        """Keep the new edge ``a → b`` (``out_a`` is ``out[a]``), present in the windows of
        unit ``one``."""
        out_a[b] = entry
        into_b = self.into.get(b)
        if into_b is None:
            self.into[b] = {a: entry}
        else:
            into_b[a] = entry
        self._presence(a, team_a, b, team_b, one, +1)

    def _remove(self, a: str, b: str) -> None:
        """Forget the edge ``a → b``, in no window any more."""
        for adjacency, one, other in ((self.out, a, b), (self.into, b, a)):
            neighbours = adjacency[one]
            del neighbours[other]
            if not neighbours:
                del adjacency[one]

    def _presence(self, a: str, team_a: str, b: str, team_b: str, one: int, sign: int) -> None:
        """Edge ``a → b`` appears (+1) in or leaves (-1) the windows of unit ``one``."""
        self.edge_count += sign * one
        out_b = self.out.get(b)
        reverse = None if out_b is None else out_b.get(a)
        if reverse is not None:
            self.reciprocated += 2 * sign * (one & nonzero(reverse[0], self.width))
        degree, width, teams = self.degree, self.width, self.teams
        for person, team in ((a, team_a), (b, team_b)):
            before = degree.get(person, 0)
            after = before + sign * one
            if after:
                degree[person] = after
            else:
                del degree[person]
            changed = one & ~nonzero(before if sign > 0 else after, width)
            if changed:  # they become a node of these windows or stop being one
                self.people += sign * changed
                teams.activate(team, sign * changed)
        teams.presence(team_a, team_b, sign * one)

    def _unit(self, slots: Slots) -> int:
        one = self._units.get(slots)
        if one is None:
            one = self._units[slots] = unit(slots)
        return one


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
        for a, targets in self.store.out.items():
            for b, (counts, weights) in targets.items():
                count = lane(counts, slot)
                if count:
                    yield a, b, count, lane(weights, slot)

    def edge_arrays(self, index: Mapping[str, int]) -> tuple[array[int], array[int], array[float]]:
        """The window's edges as flat arrays, ``actors[k] → targets[k]`` (``index`` of each
        person, which must hold every node of the window) of weight ``weights[k]`` in
        micro-units (floats), in one pass over the edge map: an actor outside the window has
        no edge there and is skipped whole."""
        actors, targets, weights = array("q"), array("q"), array("d")
        shift = LANE_BITS * self.slot
        add_actor, add_target, add_weight = actors.append, targets.append, weights.append
        for a, out_a in self.store.out.items():
            actor = index.get(a)
            if actor is None:
                continue
            for b, (counts, weight) in out_a.items():
                if (counts >> shift) & LANE:
                    add_actor(actor)
                    add_target(index[b])
                    add_weight((weight >> shift) & LANE)
        return actors, targets, weights

    def nodes(self) -> Iterator[str]:
        """The people of the window."""
        slot = self.slot
        return (person for person, degree in self.store.degree.items() if lane(degree, slot))
