"""Person → team directory of one tenant (DESIGN §3 "Team")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from streams.model import UNASSIGNED


class Directory:
    """Current team of every known person and member counts per team (not windowed).

    People missing from the directory belong to ``unassigned``; setting a person's team to
    ``None`` (a tombstone) or to ``unassigned`` removes them.
    """

    def __init__(self, entries: Mapping[str, str] | None = None) -> None:
        self._team: dict[str, str] = {}
        self._members: Counter[str] = Counter()
        for person, team in (entries or {}).items():
            self.set(person, team)

    def team_of(self, person: str) -> str:
        """The person's team, ``unassigned`` when unknown."""
        return self._team.get(person, UNASSIGNED)

    def set(self, person: str, team: str | None) -> str:
        """Assign ``person`` to ``team`` (``None`` removes them); return their previous team."""
        old = self._team.pop(person, UNASSIGNED)
        if old != UNASSIGNED:
            self._members[old] -= 1
            if not self._members[old]:
                del self._members[old]
        if team is not None and team != UNASSIGNED:
            self._team[person] = team
            self._members[team] += 1
        return old

    def members(self, team: str) -> int:
        """Number of people the directory puts in ``team``."""
        return self._members.get(team, 0)

    def teams(self) -> list[str]:
        """Real teams with at least one member, sorted."""
        return sorted(self._members)

    def entries(self) -> list[list[str]]:
        """``[person, team]`` rows, sorted, for serialization."""
        return [[person, team] for person, team in sorted(self._team.items())]
