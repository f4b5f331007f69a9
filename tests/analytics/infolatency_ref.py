"""The plain label algorithm of information latency, as reference for the array form.

This is the dict-per-person implementation :class:`InformationLatency` had before it kept
labels in team-indexed arrays (the rule of the module docstring of
:mod:`streams.analytics.knowledge.infolatency`, written out label by label): one label
``(origin, arrival)`` per (person, team); a hop a→b at t first keeps (t, t) for a's own
team, then offers b every label of a that has arrived by t, as (origin, t); b keeps the
later origin, on a tie the earlier arrival. ``expire`` drops labels older than the
threshold; events older than the largest threshold are ignored. Nothing here is optimized.
"""

from __future__ import annotations

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.model import UNASSIGNED

Label = tuple[int, int]
"""(origin, arrival)."""


class PlainLatency:
    """Labels per person and team (an ``EventObserver``)."""

    def __init__(self) -> None:
        self.labels: dict[str, dict[str, Label]] = {}
        self.floor: int | None = None

    def view(self, person: str) -> dict[str, int]:
        """Origin per team of ``person``'s labels, sorted by team."""
        labels = self.labels.get(person, {})
        return {team: labels[team][0] for team in sorted(labels)}

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Keep the actor's own label, then offer the actor's arrived labels to each target."""
        t = event.occurred_at
        if event.broadcast or (self.floor is not None and t < self.floor):
            return
        actor = event.actor
        team = directory.team_of(actor)
        if team != UNASSIGNED:
            self._keep(actor, team, (t, t))
        offer = {x: o for x, (o, arrival) in self.labels.get(actor, {}).items() if arrival <= t}
        if team != UNASSIGNED:
            offer[team] = t
        for target in event.targets:
            for x, origin in offer.items():
                self._keep(target, x, (origin, t))

    def _keep(self, person: str, team: str, label: Label) -> None:
        labels = self.labels.setdefault(person, {})
        held = labels.get(team)
        if held is None or label[0] > held[0] or (label[0] == held[0] and label[1] < held[1]):
            labels[team] = label

    def expire(self, oldest_kept_ms: int) -> None:
        """Drop labels whose origin is older than ``oldest_kept_ms`` (thresholds never fall)."""
        if self.floor is not None and oldest_kept_ms <= self.floor:
            return
        self.floor = oldest_kept_ms
        for labels in self.labels.values():
            for team in [x for x, (origin, _) in labels.items() if origin < oldest_kept_ms]:
                del labels[team]

    def size(self) -> int:
        """Number of labels held."""
        return sum(len(labels) for labels in self.labels.values())
