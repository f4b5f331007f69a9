"""Information latency between teams, after Kossinets, Kleinberg & Watts, "The structure of
information pathways in a social communication network" (KDD 2008), at team granularity.

Definitions (accepted events, in processing order; broadcasts are ignored entirely):

- **Hop**: every non-broadcast event at time t with actor a and a target b is a hop a→b at t.
  **Team** of a person is the directory's at the moment the event is processed.
- **Time-respecting path** from u to v: an event e0 with actor u, at time τ, then hops
  e1, …, ek (k ≥ 0; e1 may be e0 itself) processed in this order, with τ ≤ t1 ≤ … ≤ tk,
  e1's actor = u, e(i+1)'s actor = ei's target, ek's target = v (v = u when k = 0). Its
  **origin** is τ, its **origin team** u's team at e0 and its **arrival** tk (τ if k = 0).
  So a person is current about their own team at their own events; without directory moves
  the latest origin always has e1 = e0, and a person who moved keeps relaying what they knew
  as a member of their old team.
- **View** ``view[v][A]`` = the latest origin of a time-respecting path to v with origin team
  A (a real team, not ``unassigned``: people without a team have views and relay
  information, but are never an origin).
- **Latency** of v about A at as-of T = T - view[v][A] (seconds, clamped at 0; T is meant to
  be the tenant watermark, which no view exceeds).
- **Staleness** of team B about team A (A ≠ B, both real with ≥ ``min_group_size`` directory
  members) at T: ``median_seconds`` = the nearest-rank median (⌈n/2⌉-th smallest) of the
  latencies about A of the current members of B that have a view of A, ``None`` when none
  has; ``reached`` = that number of members / B's directory members.
- **Most stale pairs** (:func:`top_pairs`): pairs with a median, by median descending, then
  lower ``reached`` first, then (B, A). Pairs no member of B has heard from have reached 0
  and no median; they are not ranked.
- **Team out of date** (:func:`team_out_of_date`): for every reported B, the nearest-rank
  median of the pair medians of B over the reported A ≠ B that have one (``None`` if none).
- **Expiry**: ``expire(oldest_kept_ms)`` forgets views older than ``oldest_kept_ms`` (their
  holders count as not reached); events older than the largest threshold seen are ignored.
  Equivalently: view = the definition above if ≥ that threshold, else absent.

Computation: one label ``(origin, arrival)`` per (person, team), memory O(people x teams).
A hop a→b at t first sets a's own-team label to (t, t), then offers b every label of a whose
arrival ≤ t, as (origin, t); b keeps the later origin (on a tie, the earlier arrival). When
events are processed in non-decreasing time this is exactly the view above (the update rule
``view[b][X] = max(view[b][X], view[a][X])``). A late event (older than one already
processed) cannot rewrite history: it relays only labels that had arrived by its time, so a
view never claims a path that does not exist but may miss one through the late event.
Cost per event O(targets x teams known to the actor); :meth:`expire` (when the threshold
moves, once per bucket) visits every person but only rebuilds those holding an expiring view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.ranks import median
from streams.model import UNASSIGNED

Pair = tuple[str, str]
"""(B, A): team B's view of team A."""


_NEVER = -(1 << 63)
"""Below every origin: the origin of a view a person does not hold."""


class PairStaleness(TypedDict):
    """How stale team B is about team A."""

    median_seconds: float | None
    reached: float


class InformationLatency:
    """Per person, the latest origin time of what they know from each team (``EventObserver``).

    A person's labels are two dicts, team → origin and team → arrival, plus the latest
    arrival among them: when an event is not older than the actor's and the target's latest
    arrivals (the usual, in-order case), every label of the actor is offered and only later
    origins can win, which is a dict comprehension instead of a loop over label tuples.
    """

    def __init__(self) -> None:
        self._origins: dict[str, dict[str, int]] = {}
        self._arrivals: dict[str, dict[str, int]] = {}
        self._latest: dict[str, int] = {}  # per person, their latest label arrival
        self._oldest: dict[str, int] = {}  # per person, a lower bound of their label origins
        self._floor: int | None = None

    def __len__(self) -> int:
        """Number of (person, team) views held."""
        return sum(len(origins) for origins in self._origins.values())

    def view(self, person: str) -> dict[str, int]:
        """Latest origin time (ms) of what ``person`` knows from each team, sorted by team."""
        origins = self._origins.get(person, {})
        return {team: origins[team] for team in sorted(origins)}

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Relay what the actor knows to every target (broadcasts and expired times ignored)."""
        t = event.occurred_at
        if event.broadcast or (self._floor is not None and t < self._floor):
            return
        actor = event.actor
        origins = self._origins.get(actor, {})
        if self._latest.get(actor, t) <= t:
            offer = origins  # every label has arrived by t
        else:
            arrivals = self._arrivals[actor]
            offer = {team: origin for team, origin in origins.items() if arrivals[team] <= t}
        team = directory.team_of(actor)
        if team != UNASSIGNED:
            own = {team: t}
            self._keep(actor, own, t)
            if offer is not origins:
                offer[team] = t
            elif team not in offer:
                offer = own  # the actor had no labels before this event
        if offer:
            for target in event.targets:
                self._keep(target, offer, t)

    def _keep(self, person: str, offer: dict[str, int], arrival: int) -> None:
        """Merge origins arriving at ``arrival``: later origin wins, then earlier arrival."""
        origins = self._origins.get(person)
        if origins is None:
            self._origins[person] = dict(offer)
            self._arrivals[person] = dict.fromkeys(offer, arrival)
            self._latest[person] = arrival
            self._oldest[person] = min(offer.values())
            return
        arrivals = self._arrivals[person]
        if arrival >= self._latest[person]:  # no held arrival is later: ties keep theirs
            newer = {team: o for team, o in offer.items() if o > origins.get(team, _NEVER)}
        else:
            newer = {
                team: o
                for team, o in offer.items()
                if o > (held := origins.get(team, _NEVER))
                or (o == held and arrival < arrivals[team])
            }
        if newer:
            origins.update(newer)
            arrivals.update(dict.fromkeys(newer, arrival))
            self._latest[person] = max(self._latest[person], arrival)
            self._oldest[person] = min(self._oldest[person], min(newer.values()))

    def expire(self, oldest_kept_ms: int) -> None:
        """Drop views whose origin is older than ``oldest_kept_ms``.

        Only people whose oldest view may be older are visited (labels only get later).
        """
        if self._floor is not None and oldest_kept_ms <= self._floor:
            return
        self._floor = oldest_kept_ms
        for person in [p for p, oldest in self._oldest.items() if oldest < oldest_kept_ms]:
            origins = self._origins[person]
            kept = {team: origin for team, origin in origins.items() if origin >= oldest_kept_ms}
            if kept:
                arrivals = {team: self._arrivals[person][team] for team in kept}
                self._origins[person], self._arrivals[person] = kept, arrivals
                self._latest[person] = max(arrivals.values())
                self._oldest[person] = min(kept.values())
            else:
                del self._origins[person], self._arrivals[person]
                del self._latest[person], self._oldest[person]

    def staleness(
        self, as_of_ms: int, directory: Directory, min_group_size: int
    ) -> dict[Pair, PairStaleness]:
        """Staleness of every reported team B about every other reported team A, sorted."""
        reported = [team for team in directory.teams() if directory.members(team) >= min_group_size]
        latencies: dict[Pair, list[int]] = {}
        for person, origins in self._origins.items():
            team = directory.team_of(person)
            for source, origin in origins.items():
                latencies.setdefault((team, source), []).append(max(0, as_of_ms - origin))
        result: dict[Pair, PairStaleness] = {}
        for team in reported:
            for source in reported:
                if source == team:
                    continue
                values = latencies.get((team, source), [])
                seconds = round(median(values) / 1000, 9) if values else None
                reached = round(len(values) / directory.members(team), 9)
                result[team, source] = {"median_seconds": seconds, "reached": reached}
        return result


def top_pairs(pairs: Mapping[Pair, PairStaleness], k: int) -> list[tuple[Pair, PairStaleness]]:
    """The ``k`` most stale pairs of :meth:`InformationLatency.staleness` (module docstring)."""
    ranked = [
        (-stale["median_seconds"], stale["reached"], pair, stale)
        for pair, stale in pairs.items()
        if stale["median_seconds"] is not None
    ]
    return [(pair, stale) for _, _, pair, stale in sorted(ranked)[:k]]


def team_out_of_date(pairs: Mapping[Pair, PairStaleness]) -> dict[str, float | None]:
    """Per team B of ``pairs``, the median over A ≠ B of B's pair medians, sorted by team."""
    medians: dict[str, list[float]] = {}
    for (team, _), stale in pairs.items():
        values = medians.setdefault(team, [])
        if stale["median_seconds"] is not None:
            values.append(stale["median_seconds"])
    return {team: median(values) if values else None for team, values in sorted(medians.items())}
