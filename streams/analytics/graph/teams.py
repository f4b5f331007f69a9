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
from typing import Any, Generic, TypeVar

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


class ChangeLog(Generic[K]):
    """The keys of one aggregate table changed since each reader last took them.

    Readers (the snapshot memos, one per window slot) keep what they read of a large table
    and update only the changed keys, so a refresh does not read the whole table. The
    aggregates add a changed key to :attr:`recent` only while :attr:`readers` is not empty.
    """

    __slots__ = ("readers", "recent")

    def __init__(self) -> None:
        self.recent: set[K] = set()
        self.readers: dict[int, set[K] | None] = {}
        """Per reader, the keys changed before the latest :meth:`take` of another reader
        (``None``: everything, the reader has read nothing yet)."""

    def __reduce__(self) -> tuple[type[ChangeLog[K]], tuple[()]]:
        return ChangeLog, ()  # a restored state has new readers: they read everything

    def subscribe(self, reader: int) -> None:
        """Start ``reader`` afresh: its next :meth:`take` returns ``None`` (read everything)."""
        self.readers[reader] = None

    def take(self, reader: int) -> set[K] | None:
        """The keys changed since ``reader``'s previous take (``None``: since it subscribed,
        before which it read nothing)."""
        recent, readers = self.recent, self.readers
        if recent:
            for keys in readers.values():
                if keys is not None:
                    keys |= recent
            self.recent = set()
        keys = readers[reader]
        readers[reader] = set()
        return keys


class TeamAggregates:
    """I, E, partner teams, bridges, team→team flow and active people of every window.

    Values are packed per window slot (see the module docstring):

    - ``internal[T]``: weight of pairs with both ends in T (I).
    - ``external[T]``: weight of pairs with exactly one end in T (E).
    - ``partners[T][U]``: number of distinct directed person edges between T and U (either
      direction), real teams only; partner teams of T in a window = the ``U`` with a
      non-zero lane; ``partner_count[T]`` is the number of those per lane.
    - ``bridges[T][p]``: external weight of member p of T (the snapshot memo keeps its
      maximum from the changed members that ``bridges_log`` names).
    - ``flow[(S, T)]``: weight of pairs from a member of S to a member of T, S ≠ T,
      ``unassigned`` included as a label (filter it on output).
    - ``total``: weight of all pairs (W).
    - ``active[T]``: people of T (by the directory now) with at least one pair in the window,
      the activity half of the minimum group size rule (README "Privacy").

    ``flow_log`` records the flow keys that changed, ``bridges_log`` the ``(team, member)``
    keys of the bridges that changed.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self.active: dict[str, int] = {}
        self.internal: dict[str, int] = {}
        self.external: dict[str, int] = {}
        self.partners: dict[str, dict[str, int]] = {}
        self.partner_count: dict[str, int] = {}
        self.bridges: dict[str, dict[str, int]] = {}
        self.flow: dict[tuple[str, str], int] = {}
        self.total = 0
        self.flow_log: ChangeLog[tuple[str, str]] = ChangeLog()
        self.bridges_log: ChangeLog[tuple[str, str]] = ChangeLog()

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
        if self.flow_log.readers:
            self.flow_log.recent.add((team_a, team_b))
        bridged = self.bridges_log.recent if self.bridges_log.readers else None
        if team_a != UNASSIGNED:
            _bump_nested(self.bridges, team_a, a, delta)
            if bridged is not None:
                bridged.add((team_a, a))
        if team_b != UNASSIGNED:
            _bump_nested(self.bridges, team_b, b, delta)
            if bridged is not None:
                bridged.add((team_b, b))

    def presence(self, team_a: str, team_b: str, delta: int) -> None:
        """Person edges between ``team_a`` and ``team_b`` appear in (``delta`` the unit of
        those windows) or leave windows (minus that unit); they count for partner teams
        between two different real teams."""
        if not delta or team_a in (team_b, UNASSIGNED) or team_b == UNASSIGNED:
            return
        self._partner(team_a, team_b, delta)
        self._partner(team_b, team_a, delta)

    def activate(self, team: str, delta: int) -> None:
        """Members of ``team`` got their first pair in windows (positive packed ``delta``) or
        lost their last."""
        _bump(self.active, team, delta)

    def _partner(self, team: str, other: str, delta: int) -> None:
        """Add ``delta`` to ``partners[team][other]`` and count the lanes it entered or left."""
        inner = self.partners.get(team)
        if inner is None:
            inner = self.partners[team] = {}
        before = inner.get(other, 0)
        after = before + delta
        if after:
            inner[other] = after
        else:
            del inner[other]
            if not inner:
                del self.partners[team]
        if delta > 0:  # the lanes of ``delta`` where ``before`` was 0
            entered = delta & ~nonzero(before, self.width) if before else delta
        else:  # minus the lanes of ``-delta`` where ``after`` is 0
            entered = -(-delta & ~nonzero(after, self.width)) if after else delta
        if entered:
            _bump(self.partner_count, team, entered)


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
        return lane(self._teams.partner_count.get(team, 0), self.slot)

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
            "partner_count": _project(teams.partner_count, slot),
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
