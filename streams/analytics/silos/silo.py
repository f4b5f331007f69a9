"""Silo state machine with hysteresis (DESIGN §3 "Siloed") and its alerts.

A tracked team (≥ min_group_size directory members) enters the siloed state after
``consecutive`` evaluations in a row with EI ≤ enter and leaves it at the first evaluation
with EI ≥ exit. Choices:

- EI absent (no pair in the window) is not silo evidence: it resets the entering streak,
  and it does not resolve a siloed team either (only a measured EI ≥ exit does).
- A siloed team that stops being tracked (shrinks below min_group_size or leaves the
  directory) resolves, with its last measured EI as value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from streams.model import Alert

ALERT_KIND = "team_siloed"


class Transition(NamedTuple):
    """A team entering (``firing``) or leaving (``resolved``) the siloed state."""

    team: str
    status: Literal["firing", "resolved"]
    value: float
    as_of: int


class SiloTracker:
    """Per-team streaks and siloed flags; :meth:`evaluate` is called once per evaluation."""

    def __init__(self, enter_ei: float, exit_ei: float, consecutive: int) -> None:
        self.enter_ei, self.exit_ei, self.consecutive = enter_ei, exit_ei, consecutive
        self.streak: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.siloed: set[str] = set()

    def evaluate(self, eis: Mapping[str, float | None], as_of: int) -> list[Transition]:
        """Feed the EI of every tracked team; return the transitions, sorted by team."""
        transitions = [self._drop(team, as_of) for team in sorted(self.siloed - set(eis))]
        for team in set(self.streak) - set(eis):
            del self.streak[team]
        for team in sorted(eis):
            transition = self._step(team, eis[team], as_of)
            if transition is not None:
                transitions.append(transition)
        for team in set(self.last) - set(eis):
            del self.last[team]
        return sorted(transitions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able state."""
        return {
            "streak": dict(sorted(self.streak.items())),
            "last": dict(sorted(self.last.items())),
            "siloed": sorted(self.siloed),
        }

    def load(self, data: Mapping[str, Any]) -> None:
        """Restore the state written by :meth:`to_dict`."""
        self.streak, self.last = dict(data["streak"]), dict(data["last"])
        self.siloed = set(data["siloed"])

    def _step(self, team: str, ei: float | None, as_of: int) -> Transition | None:
        if ei is None:
            self.streak.pop(team, None)
            return None
        self.last[team] = ei
        if team in self.siloed:
            if ei < self.exit_ei:
                return None
            self.siloed.discard(team)
            return Transition(team, "resolved", ei, as_of)
        if ei > self.enter_ei:
            self.streak.pop(team, None)
            return None
        self.streak[team] = self.streak.get(team, 0) + 1
        if self.streak[team] < self.consecutive:
            return None
        del self.streak[team]
        self.siloed.add(team)
        return Transition(team, "firing", ei, as_of)

    def _drop(self, team: str, as_of: int) -> Transition:
        self.siloed.discard(team)
        return Transition(team, "resolved", self.last.get(team, 0.0), as_of)


def build_alert(tenant: str, window: str, transition: Transition) -> Alert:
    """The ``orgpulse.Alert`` of a transition; its id is a hash of tenant/kind/team/status/as_of."""
    team, status, value, as_of = transition
    key = "\x1f".join((tenant, ALERT_KIND, team, status, str(as_of)))
    verb = "is siloed" if status == "firing" else "is no longer siloed"
    return Alert(
        alert_id=hashlib.sha256(key.encode()).hexdigest()[:32],
        tenant=tenant,
        kind=ALERT_KIND,
        status=status,
        team=team,
        window=window,
        value=value,
        as_of=as_of,
        summary=f"team {team} {verb}: E-I index {value:.3f} on the {window} window",
    )
