"""Person → team directory of one tenant, with bot flags (DESIGN §3 "Team")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from streams.model import UNASSIGNED


class Directory:
    """Current team of every known person, member counts per team and bots (not windowed).

    People missing from the directory belong to ``unassigned``; setting a person's team to
    ``None`` (a tombstone) removes them and their bot flag, ``unassigned`` removes them from
    their team only.
    """

    def __init__(self, entries: Mapping[str, str] | None = None) -> None:
        self._team: dict[str, str] = {}
        self._members: Counter[str] = Counter()
        self._bots: set[str] = set()
        for person, team in (entries or {}).items():
            self.set(person, team)

    def team_of(self, person: str) -> str:
        """The person's team, ``unassigned`` when unknown."""
        return self._team.get(person, UNASSIGNED)

    def is_bot(self, person: str) -> bool:
        """Whether the directory flags ``person`` as a bot."""
        return person in self._bots

    def set(self, person: str, team: str | None, bot: bool = False) -> str:
        """Assign ``person`` to ``team`` (``None`` removes them) with their bot flag; return
        their previous team."""
        old = self._team.pop(person, UNASSIGNED)
        if old != UNASSIGNED:
            self._members[old] -= 1
            if not self._members[old]:
                del self._members[old]
        if team is not None and team != UNASSIGNED:
            self._team[person] = team
            self._members[team] += 1
        if bot and team is not None:
            self._bots.add(person)
        else:
            self._bots.discard(person)
        return old

    def members(self, team: str) -> int:
        """Number of people the directory puts in ``team``."""
        return self._members.get(team, 0)

    def teams(self) -> list[str]:
        """Real teams with at least one member, sorted."""
        return sorted(self._members)

    def entries(self) -> list[tuple[str, str, bool]]:
        """``(person, team, bot)`` of everyone with a real team or a bot flag, sorted."""
        people = sorted(self._team.keys() | self._bots)
        return [(person, self.team_of(person), person in self._bots) for person in people]
