"""Per-team aggregates of every window of a tenant, updated per pair delta (DESIGN §1
"Performance shape").

Every number is an exact integer (weights in micro-units), so a refresh reads them in
O(teams) and any order of additions and subtractions gives identical state. Each value is a
list with one slot per window (:class:`TeamAggregates`); :class:`TeamView` reads one slot.

``unassigned`` is kept as one label: its internal weight (pairs between two unassigned
people) and external weight feed modularity only; it never gets partner teams or bridges,
and it is never reported as a team.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from streams.model import UNASSIGNED

K = TypeVar("K")
Slots = tuple[int, ...]
"""The window slots a delta applies to."""


class TeamAggregates:
    """I, E, partner teams, bridges, team→team flow and active people of every window.

    Each value is a list of ``width`` integers, one per window slot:

    - ``internal[T]``: weight of pairs with both ends in T (I).
    - ``external[T]``: weight of pairs with exactly one end in T (E).
    - ``partners[T][U]``: number of distinct directed person edges between T and U (either
      direction), real teams only; partner teams of T = the ``U`` with a non-zero slot.
    - ``bridges[T][p]``: external weight of member p of T (its maximum is read in
      O(members) at refresh time, cheaper overall than keeping it per update).
    - ``flow[(S, T)]``: weight of pairs from a member of S to a member of T, S ≠ T,
      ``unassigned`` included as a label (filter it on output).
    - ``total``: weight of all pairs (W).
    - ``active[T]``: people of T (by the directory now) with at least one pair in the window,
      the activity half of the minimum group size rule (README "Privacy").

    An entry whose slots are all 0 is deleted, so the state depends only on what is held.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.active: dict[str, list[int]] = {}
        self.internal: dict[str, list[int]] = {}
        self.external: dict[str, list[int]] = {}
        self.partners: dict[str, dict[str, list[int]]] = {}
        self.bridges: dict[str, dict[str, list[int]]] = {}
        self.flow: dict[tuple[str, str], list[int]] = {}
        self.total = [0] * width

    def apply(self, a: str, team_a: str, b: str, team_b: str, weight: int, slots: Slots) -> None:
        """Account ``weight`` (negative: remove it) for pair ``a → b`` in ``slots``."""
        if not weight:
            return
        total = self.total
        for slot in slots:
            total[slot] += weight
        width = self.width
        if team_a == team_b:
            _bump(self.internal, team_a, weight, slots, width)
            return
        _bump(self.external, team_a, weight, slots, width)
        _bump(self.external, team_b, weight, slots, width)
        _bump(self.flow, (team_a, team_b), weight, slots, width)
        if team_a != UNASSIGNED:
            _bump_nested(self.bridges, team_a, a, weight, slots, width)
        if team_b != UNASSIGNED:
            _bump_nested(self.bridges, team_b, b, weight, slots, width)

    def presence(self, team_a: str, team_b: str, slots: Slots, sign: int) -> None:
        """A person edge between ``team_a`` and ``team_b`` appears (+1) in or leaves (-1)
        the windows ``slots``; it counts for partner teams between two different real teams."""
        if team_a in (team_b, UNASSIGNED) or team_b == UNASSIGNED:
            return
        _bump_nested(self.partners, team_a, team_b, sign, slots, self.width)
        _bump_nested(self.partners, team_b, team_a, sign, slots, self.width)

    def activate(self, team: str, slots: Slots, sign: int) -> None:
        """A member of ``team`` got their first pair in the windows ``slots`` (+1) or lost
        their last (-1)."""
        _bump(self.active, team, sign, slots, self.width)


class TeamView:
    """The team aggregates of one window slot, read in O(1) per team (O(members) for bridges)."""

    def __init__(self, teams: TeamAggregates, slot: int) -> None:
        self._teams = teams
        self.slot = slot

    @property
    def total(self) -> int:
        """Weight of all pairs in the window (W)."""
        return self._teams.total[self.slot]

    def internal(self, team: str) -> int:
        """I of ``team``."""
        return _read(self._teams.internal.get(team), self.slot)

    def external(self, team: str) -> int:
        """E of ``team``."""
        return _read(self._teams.external.get(team), self.slot)

    def active(self, team: str) -> int:
        """People of ``team`` with at least one pair in the window."""
        return _read(self._teams.active.get(team), self.slot)

    def labels(self) -> list[str]:
        """Labels (``unassigned`` included) with a non-zero I or E in the window, sorted."""
        teams, slot = self._teams, self.slot
        found = {t for t, v in teams.internal.items() if v[slot]}
        found.update(t for t, v in teams.external.items() if v[slot])
        return sorted(found)

    def partner_teams(self, team: str) -> int:
        """Number of distinct real teams with at least one pair to or from ``team``."""
        return _nonzero(self._teams.partners.get(team, {}).values(), self.slot)

    def max_member_external(self, team: str) -> int:
        """Largest external weight carried by one member of ``team``."""
        members = self._teams.bridges.get(team, {})
        return max((v[self.slot] for v in members.values()), default=0)

    def flow(self) -> dict[tuple[str, str], int]:
        """Team flow ``(S, T) → weight`` of the window (non-zero only), sorted."""
        slot = self.slot
        return {pair: v[slot] for pair, v in sorted(self._teams.flow.items()) if v[slot]}

    def tables(self) -> dict[str, Any]:
        """Every aggregate of the window as plain dicts without zero entries (for tests)."""
        teams, slot = self._teams, self.slot
        return {
            "total": self.total,
            "active": _project(teams.active, slot),
            "internal": _project(teams.internal, slot),
            "external": _project(teams.external, slot),
            "flow": _project(teams.flow, slot),
            "partners": _project_nested(teams.partners, slot),
            "bridges": _project_nested(teams.bridges, slot),
        }


def _bump(table: dict[K, list[int]], key: K, delta: int, slots: Slots, width: int) -> None:
    """Add ``delta`` to ``table[key]`` in ``slots``; an entry whose slots all reach 0 is
    deleted (memory stays bounded). Values are never negative, so only a negative delta can
    empty an entry."""
    values = table.get(key)
    if values is None:
        values = table[key] = [0] * width
    for slot in slots:
        values[slot] += delta
    if delta < 0 and not any(values):
        del table[key]


def _bump_nested(
    table: dict[str, dict[K, list[int]]], outer: str, key: K, delta: int, slots: Slots, width: int
) -> None:
    inner = table.get(outer)
    if inner is None:
        inner = table[outer] = {}
    _bump(inner, key, delta, slots, width)
    if not inner:
        del table[outer]


def _read(values: list[int] | None, slot: int) -> int:
    return values[slot] if values else 0


def _nonzero(values: Iterable[list[int]], slot: int) -> int:
    return sum(1 for v in values if v[slot])


def _project(table: dict[K, list[int]], slot: int) -> dict[K, int]:
    return {key: v[slot] for key, v in table.items() if v[slot]}


def _project_nested(table: dict[str, dict[K, list[int]]], slot: int) -> dict[str, dict[K, int]]:
    projected = {outer: _project(inner, slot) for outer, inner in table.items()}
    return {outer: inner for outer, inner in projected.items() if inner}
