"""Per-team aggregates of every window of a tenant, updated per pair delta (DESIGN §1
"Performance shape").

Every number is an exact integer (weights in micro-units), so a refresh reads them in
O(teams) and any order of additions and subtractions gives identical state.

The windows of a tenant share each aggregate: a value packs one non-negative integer
*lane* of :data:`LANE_BITS` bits per window slot (slot s is ``(value >> s·LANE_BITS) &
LANE``), so a delta to several windows at once is one integer addition of ``delta ·
unit(slots)``. A lane never goes negative, so no addition borrows from a neighbour, and a
value is 0 exactly when every lane is: such entries are deleted. :class:`TeamView` reads the
lane of one window.

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
"""Window slots, ascending."""

LANE_BITS = 96
"""Bits per window lane: a window's total weight stays far below 2**96 micro-units (5·10**16
pairs of the largest valid weight, 10**6)."""
LANE = (1 << LANE_BITS) - 1


def unit(slots: Iterable[int]) -> int:
    """The packed value holding 1 in each of ``slots``.

    >>> unit((0, 2)) == 1 + (1 << 2 * LANE_BITS)
    True
    """
    return sum(1 << (LANE_BITS * slot) for slot in slots)


def lane(value: int, slot: int) -> int:
    """The lane of ``slot`` in a packed value.

    >>> lane(5 * unit((0, 1)) + unit((1,)), 1)
    6
    """
    return (value >> (LANE_BITS * slot)) & LANE


def nonzero(value: int, width: int) -> int:
    """The unit of the lanes of ``value`` (``width`` lanes, each below 2**(LANE_BITS - 1))
    that are not 0, in a few integer operations: adding 2**(LANE_BITS - 1) - 1 to a lane sets
    its top bit exactly when the lane is not 0, and carries nothing into the next lane.

    >>> nonzero(7 * unit((0,)) + 2 * unit((2,)), 3) == unit((0, 2))
    True
    """
    ones = _ONES[width] if width < len(_ONES) else unit(range(width))
    top = ones << (LANE_BITS - 1)
    return ((value + (top - ones)) & top) >> (LANE_BITS - 1)


_ONES = [sum(1 << (LANE_BITS * slot) for slot in range(width)) for width in range(9)]


class TeamAggregates:
    """I, E, partner teams, bridges, team→team flow and active people of every window.

    Values are packed per window slot (see the module docstring):

    - ``internal[T]``: weight of pairs with both ends in T (I).
    - ``external[T]``: weight of pairs with exactly one end in T (E).
    - ``partners[T][U]``: number of distinct directed person edges between T and U (either
      direction), real teams only; partner teams of T in a window = the ``U`` with a
      non-zero lane.
    - ``bridges[T][p]``: external weight of member p of T (its maximum is read in
      O(members) at refresh time, cheaper overall than keeping it per update).
    - ``flow[(S, T)]``: weight of pairs from a member of S to a member of T, S ≠ T,
      ``unassigned`` included as a label (filter it on output).
    - ``total``: weight of all pairs (W).
    - ``active[T]``: people of T (by the directory now) with at least one pair in the window,
      the activity half of the minimum group size rule (README "Privacy").
    """

    def __init__(self) -> None:
        self.active: dict[str, int] = {}
        self.internal: dict[str, int] = {}
        self.external: dict[str, int] = {}
        self.partners: dict[str, dict[str, int]] = {}
        self.bridges: dict[str, dict[str, int]] = {}
        self.flow: dict[tuple[str, str], int] = {}
        self.total = 0

    def apply(self, a: str, team_a: str, b: str, team_b: str, delta: int) -> None:
        """Account the packed weight ``delta`` (negative: remove it) for pair ``a → b``."""
        if not delta:
            return
        self.total += delta
        if team_a == team_b:
            _bump(self.internal, team_a, delta)
            return
        _bump(self.external, team_a, delta)
        _bump(self.external, team_b, delta)
        _bump(self.flow, (team_a, team_b), delta)
        if team_a != UNASSIGNED:
            _bump_nested(self.bridges, team_a, a, delta)
        if team_b != UNASSIGNED:
            _bump_nested(self.bridges, team_b, b, delta)

    def presence(self, team_a: str, team_b: str, delta: int) -> None:
        """Person edges between ``team_a`` and ``team_b`` appear in (positive packed
        ``delta``) or leave windows; they count for partner teams between two different
        real teams."""
        if team_a in (team_b, UNASSIGNED) or team_b == UNASSIGNED:
            return
        _bump_nested(self.partners, team_a, team_b, delta)
        _bump_nested(self.partners, team_b, team_a, delta)

    def activate(self, team: str, delta: int) -> None:
        """Members of ``team`` got their first pair in windows (positive packed ``delta``) or
        lost their last."""
        _bump(self.active, team, delta)


class TeamView:
    """The team aggregates of one window slot, read in O(1) per team (O(members) for bridges)."""

    def __init__(self, teams: TeamAggregates, slot: int) -> None:
        self._teams = teams
        self.slot = slot

    @property
    def total(self) -> int:
        """Weight of all pairs in the window (W)."""
        return lane(self._teams.total, self.slot)

    def internal(self, team: str) -> int:
        """I of ``team``."""
        return lane(self._teams.internal.get(team, 0), self.slot)

    def external(self, team: str) -> int:
        """E of ``team``."""
        return lane(self._teams.external.get(team, 0), self.slot)

    def active(self, team: str) -> int:
        """People of ``team`` with at least one pair in the window."""
        return lane(self._teams.active.get(team, 0), self.slot)

    def labels(self) -> list[str]:
        """Labels (``unassigned`` included) with a non-zero I or E in the window, sorted."""
        teams, slot = self._teams, self.slot
        found = {t for t, v in teams.internal.items() if lane(v, slot)}
        found.update(t for t, v in teams.external.items() if lane(v, slot))
        return sorted(found)

    def partner_teams(self, team: str) -> int:
        """Number of distinct real teams with at least one pair to or from ``team``."""
        slot = self.slot
        return sum(1 for v in self._teams.partners.get(team, {}).values() if lane(v, slot))

    def max_member_external(self, team: str) -> int:
        """Largest external weight carried by one member of ``team``."""
        slot = self.slot
        return max((lane(v, slot) for v in self._teams.bridges.get(team, {}).values()), default=0)

    def flow(self) -> dict[tuple[str, str], int]:
        """Team flow ``(S, T) → weight`` of the window (non-zero only), sorted."""
        return dict(sorted(_project(self._teams.flow, self.slot).items()))

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


def _bump(table: dict[K, int], key: K, delta: int) -> None:
    """Add ``delta`` to ``table[key]``, deleting entries that reach 0 (memory stays bounded)."""
    value = table.get(key, 0) + delta
    if value:
        table[key] = value
    else:
        table.pop(key, None)


def _bump_nested(table: dict[str, dict[K, int]], outer: str, key: K, delta: int) -> None:
    inner = table.get(outer)
    if inner is None:
        inner = table[outer] = {}
    _bump(inner, key, delta)
    if not inner:
        del table[outer]


def _project(table: dict[K, int], slot: int) -> dict[K, int]:
    projected = {key: lane(value, slot) for key, value in table.items()}
    return {key: value for key, value in projected.items() if value}


def _project_nested(table: dict[str, dict[K, int]], slot: int) -> dict[str, dict[K, int]]:
    projected = {outer: _project(inner, slot) for outer, inner in table.items()}
    return {outer: inner for outer, inner in projected.items() if inner}
