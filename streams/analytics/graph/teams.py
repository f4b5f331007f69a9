"""Per-team aggregates of one window, updated per pair delta (DESIGN §1 "Performance shape").

Every number is an exact integer (weights in micro-units), so a refresh reads them in
O(teams) and any order of additions and subtractions gives identical state.

``unassigned`` is kept as one label: its internal weight (pairs between two unassigned
people) and external weight feed modularity only; it never gets partner teams or bridges,
and it is never reported as a team.
"""

from __future__ import annotations

from collections import Counter
from typing import TypeVar

from streams.model import UNASSIGNED

K = TypeVar("K")


class TeamAggregates:
    """I, E, partner teams, bridges and team→team flow of one window.

    - ``internal[T]``: weight of pairs with both ends in T (I).
    - ``external[T]``: weight of pairs with exactly one end in T (E).
    - ``partners[T][U]``: number of distinct directed person edges between T and U (either
      direction), real teams only; partner teams of T = ``len(partners[T])``.
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
        self.partners: dict[str, Counter[str]] = {}
        self.bridges: dict[str, dict[str, int]] = {}
        self.flow: dict[tuple[str, str], int] = {}
        self.total = 0

    def apply(self, a: str, team_a: str, b: str, team_b: str, weight: int, presence: int) -> None:
        """Account ``weight`` for pair ``a → b``.

        ``presence`` is +1 when the edge appears, -1 when it disappears, 0 otherwise.
        """
        self.total += weight
        if team_a == team_b:
            _bump(self.internal, team_a, weight)
            return
        _bump(self.external, team_a, weight)
        _bump(self.external, team_b, weight)
        _bump(self.flow, (team_a, team_b), weight)
        self._bridge(team_a, a, weight)
        self._bridge(team_b, b, weight)
        if presence and UNASSIGNED not in (team_a, team_b):
            self._partner(team_a, team_b, presence)
            self._partner(team_b, team_a, presence)

    def activate(self, team: str, sign: int) -> None:
        """A member of ``team`` got their first pair in the window (+1) or lost their last (-1)."""
        _bump(self.active, team, sign)

    def partner_teams(self, team: str) -> int:
        """Number of distinct real teams with at least one pair to or from ``team``."""
        return len(self.partners.get(team, ()))

    def max_member_external(self, team: str) -> int:
        """Largest external weight carried by one member of ``team``."""
        members = self.bridges.get(team)
        return max(members.values()) if members else 0

    def _bridge(self, team: str, person: str, weight: int) -> None:
        if team == UNASSIGNED or not weight:
            return
        members = self.bridges.get(team)
        if members is None:
            members = self.bridges[team] = {}
        _bump(members, person, weight)
        if not members:
            del self.bridges[team]

    def _partner(self, team: str, other: str, presence: int) -> None:
        counter = self.partners.get(team)
        if counter is None:
            counter = self.partners[team] = Counter()
        counter[other] += presence
        if not counter[other]:
            del counter[other]
            if not counter:
                del self.partners[team]


def _bump(table: dict[K, int], key: K, delta: int) -> None:
    """Add ``delta`` to ``table[key]``, deleting entries that reach 0 (memory stays bounded)."""
    value = table.get(key, 0) + delta
    if value:
        table[key] = value
    else:
        table.pop(key, None)
