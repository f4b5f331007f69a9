"""Artifact diffusion (DESIGN §3 "Artifact diffusion"): how far and how fast shared knowledge
artifacts (hashed URLs, docs) travel between teams.

Definitions, for every artifact id found in the ``artifacts`` of accepted events:

- **First share**: the first accepted event, in processing order, whose ``artifacts`` contains
  the artifact (any kind). Its ``occurred_at`` is the artifact's start and its actor's team at
  that moment (from the directory) is the **origin team**, which may be ``unassigned``.
- **Teams of an event**: the real teams (not ``unassigned``), as of the event, of its actor and
  of its targets. A broadcast's recipients are not counted (broadcasts are kept out of the
  graph), only its actor.
- **Reach**: number of distinct teams of the events carrying the artifact.
- **Crossing**: the first event, in processing order (the first share included), with a team
  other than the origin team. **Cross-team time** = its ``occurred_at`` - the start, in
  seconds, clamped at 0 (a late event can carry an older time than the first share).
- **Expiry**: ``expire(oldest_kept_ms)`` forgets artifacts whose last activity (largest
  ``occurred_at`` of their events) is older than ``oldest_kept_ms``; a later share of the same
  id starts it anew. Events older than the largest expiry threshold seen are ignored.
- **Median**: nearest-rank p50, the ⌈n/2⌉-th smallest value (as DESIGN §3's p50).

Memory is one record per artifact active since the expiry threshold, plus one heap entry per
(event, artifact) that moved an artifact's last activity forward.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TypedDict

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.ranks import median
from streams.model import UNASSIGNED


class OriginSummary(TypedDict):
    """Artifacts that originated in one team."""

    artifacts: int
    crossed: int
    median_reach: int


class ArtifactSummary(TypedDict):
    """Snapshot section of artifact diffusion; ``by_origin`` holds reported teams only."""

    artifacts: int
    crossed: int
    median_cross_team_seconds: float | None
    by_origin: dict[str, OriginSummary]


@dataclass(slots=True)
class _Artifact:
    origin: str
    start_ms: int
    last_ms: int
    teams: set[str] = field(default_factory=set)
    cross_ms: int | None = None


def _seconds(ms: int) -> float:
    return round(ms / 1000, 9)


class ArtifactDiffusion:
    """Origin, reach and cross-team time of every artifact (an ``EventObserver``)."""

    def __init__(self) -> None:
        self._artifacts: dict[str, _Artifact] = {}
        self._by_last: list[tuple[int, str]] = []
        self._floor: int | None = None
        self._crossings: list[float] = []

    def __len__(self) -> int:
        """Number of artifacts currently tracked."""
        return len(self._artifacts)

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Account for the artifacts carried by one accepted event."""
        t = event.occurred_at
        if not event.artifacts or (self._floor is not None and t < self._floor):
            return
        teams = {directory.team_of(event.actor)}
        if not event.broadcast:
            teams.update(map(directory.team_of, event.targets))
        teams.discard(UNASSIGNED)
        for artifact_id in dict.fromkeys(event.artifacts):
            artifact = self._artifacts.get(artifact_id)
            if artifact is None:
                origin = directory.team_of(event.actor)
                artifact = self._artifacts[artifact_id] = _Artifact(origin, t, t)
                heapq.heappush(self._by_last, (t, artifact_id))
            elif t > artifact.last_ms:
                artifact.last_ms = t
                heapq.heappush(self._by_last, (t, artifact_id))
            artifact.teams |= teams
            if artifact.cross_ms is None and len(teams) > (artifact.origin in teams):
                artifact.cross_ms = max(0, t - artifact.start_ms)
                self._crossings.append(_seconds(artifact.cross_ms))

    def expire(self, oldest_kept_ms: int) -> None:
        """Forget artifacts whose last activity is older than ``oldest_kept_ms``."""
        if self._floor is not None and oldest_kept_ms <= self._floor:
            return
        self._floor = oldest_kept_ms
        while self._by_last and self._by_last[0][0] < oldest_kept_ms:
            _, artifact_id = heapq.heappop(self._by_last)
            artifact = self._artifacts.get(artifact_id)
            if artifact is not None and artifact.last_ms < oldest_kept_ms:
                del self._artifacts[artifact_id]

    def drain_crossings(self) -> list[float]:
        """Cross-team times (seconds) observed since the last call, in observation order."""
        crossings, self._crossings = self._crossings, []
        return crossings

    def summary(self, min_group_size: int, directory: Directory) -> ArtifactSummary:
        """Org totals and per-origin-team numbers of the tracked artifacts.

        Org numbers include every artifact; ``by_origin`` names only real teams with at least
        ``min_group_size`` directory members (privacy), sorted by team.
        """
        crossings = [a.cross_ms for a in self._artifacts.values() if a.cross_ms is not None]
        reaches: dict[str, list[int]] = {}
        crossed: dict[str, int] = {}
        for artifact in self._artifacts.values():
            reaches.setdefault(artifact.origin, []).append(len(artifact.teams))
            crossed[artifact.origin] = crossed.get(artifact.origin, 0) + int(
                artifact.cross_ms is not None
            )
        by_origin: dict[str, OriginSummary] = {
            team: {
                "artifacts": len(reaches[team]),
                "crossed": crossed[team],
                "median_reach": median(reaches[team]),
            }
            for team in sorted(reaches)
            if team != UNASSIGNED and directory.members(team) >= min_group_size
        }
        return {
            "artifacts": len(self._artifacts),
            "crossed": len(crossings),
            "median_cross_team_seconds": _seconds(median(crossings)) if crossings else None,
            "by_origin": by_origin,
        }
