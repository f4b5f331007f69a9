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

Computation: one label ``(origin, arrival)`` per (person, team). A hop a→b at t first sets
a's own-team label to (t, t), then offers b every label of a whose arrival ≤ t, as
(origin, t); b keeps the later origin (on a tie, the earlier arrival). When events are
processed in non-decreasing time this is exactly the view above (the update rule
``view[b][X] = max(view[b][X], view[a][X])``). A late event (older than one already
processed) cannot rewrite history: it relays only labels that had arrived by its time, so a
view never claims a path that does not exist but may miss one through the late event.

Labels live in two people-by-teams integer matrices (origins, arrivals; teams get a column
when first seen as an origin), so a hop is a few vector operations over the actor's and the
target's rows instead of a Python loop over their labels: O(teams) in C per target, O(1) in
Python. :meth:`expire` (when the threshold moves, once per bucket) and :meth:`staleness` are
vector operations over the matrices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.ranks import median
from streams.model import UNASSIGNED

Pair = tuple[str, str]
"""(B, A): team B's view of team A."""

Times = npt.NDArray[np.int64]
"""Event times in ms: a people x teams matrix, or one person's row of it."""

_NEVER = -(1 << 63)
"""Below every origin: the origin (and arrival) of a view a person does not hold."""


class PairStaleness(TypedDict):
    """How stale team B is about team A."""

    median_seconds: float | None
    reached: float


class InformationLatency:
    """Per person, the latest origin time of what they know from each team (``EventObserver``).

    Row r of the origin and arrival matrices holds the labels of one person, column c those
    of one origin team; ``_NEVER`` marks a label not held. Per row, ``_latest`` is not below
    any arrival of the row: when an event is not older than it (the usual, in-order case)
    every label of the actor has arrived and, at the target, no held arrival is later, so
    only a later origin can win and the merge is an element-wise maximum.
    """

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}
        self._columns: dict[str, int] = {}
        self._latest: list[int] = []
        self._floor: int | None = None
        self._earliest: int | None = None  # no origin held is older (None: none held)
        self._origins: Times = np.full((0, 0), _NEVER, dtype=np.int64)
        self._arrivals: Times = self._origins.copy()
        self._origin_rows: list[Times] = []
        self._arrival_rows: list[Times] = []
        self._grow(16, 8)

    def __getstate__(self) -> dict[str, object]:
        """What pickling keeps (checkpoints): not the row views, which would be unpickled as
        copies instead of rows of the matrices."""
        state = self.__dict__.copy()
        del state["_origin_rows"], state["_arrival_rows"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Restore a pickled instance, with row views of its own matrices."""
        self.__dict__.update(state)
        self._origin_rows, self._arrival_rows = list(self._origins), list(self._arrivals)

    def __len__(self) -> int:
        """Number of (person, team) views held."""
        return int(np.count_nonzero(self._origins[: len(self._rows)] != _NEVER))

    def view(self, person: str) -> dict[str, int]:
        """Latest origin time (ms) of what ``person`` knows from each team, sorted by team."""
        row = self._rows.get(person)
        if row is None:
            return {}
        origins = self._origin_rows[row].tolist()
        return {
            team: origins[column]
            for team, column in sorted(self._columns.items())
            if origins[column] != _NEVER
        }

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Relay what the actor knows to every target (broadcasts and expired times ignored)."""
        t = event.occurred_at
        if event.broadcast or (self._floor is not None and t < self._floor):
            return
        if self._earliest is None or t < self._earliest:
            self._earliest = t  # origins are such times or copies of held ones
        team = directory.team_of(event.actor)
        column = None if team == UNASSIGNED else self._column(team)
        row = self._rows.get(event.actor) if column is None else self._row(event.actor)
        if row is None:  # no team and nothing heard: nothing to relay
            return
        if column is not None:
            self._keep_own(row, column, t)
        if event.targets:
            targets = [self._row(target) for target in event.targets]  # first: rows may grow
            offer = self._offer(row, column, t)
            for target in targets:
                self._merge(target, offer, t)

    def _keep_own(self, row: int, column: int, t: int) -> None:
        """Keep the label (t, t) of the actor's own team."""
        origins, arrivals = self._origin_rows[row], self._arrival_rows[row]
        held = int(origins[column])
        if t > held or (t == held and t < int(arrivals[column])):
            origins[column] = arrivals[column] = t
            if t > self._latest[row]:
                self._latest[row] = t

    def _offer(self, row: int, column: int | None, t: int) -> Times:
        """The origins the actor at ``row`` relays at ``t``: labels arrived by t, and t for its
        own team (``column``); ``_NEVER`` where it relays nothing."""
        origins = self._origin_rows[row]
        if self._latest[row] <= t:
            return origins  # every label has arrived, the own one is (t, t)
        offer = np.where(self._arrival_rows[row] <= t, origins, _NEVER)
        if column is not None:
            offer[column] = t
        return offer

    def _merge(self, row: int, offer: Times, arrival: int) -> None:
        """Merge origins arriving at ``arrival``: later origin wins, then earlier arrival."""
        origins, arrivals = self._origin_rows[row], self._arrival_rows[row]
        wins = np.greater(offer, origins, out=self._wins)
        if arrival < self._latest[row]:  # a held label may have arrived later: ties count
            wins |= (offer == origins) & (arrival < arrivals)
        else:
            self._latest[row] = arrival
        np.maximum(offer, origins, out=origins)
        np.putmask(arrivals, wins, arrival)

    def _row(self, person: str) -> int:
        """The row of ``person``, added (holding nothing) if new."""
        row = self._rows.get(person)
        if row is None:
            row = self._rows[person] = len(self._rows)
            self._latest.append(_NEVER)
            if row == len(self._origin_rows):
                self._grow(2 * row, len(self._wins))
        return row

    def _column(self, team: str) -> int:
        """The column of origin team ``team``, added if new."""
        column = self._columns.get(team)
        if column is None:
            column = self._columns[team] = len(self._columns)
            if column == len(self._wins):
                self._grow(len(self._origin_rows), 2 * column)
        return column

    def _grow(self, people: int, teams: int) -> None:
        """Room for ``people`` rows and ``teams`` columns, keeping every label."""
        origins = np.full((people, teams), _NEVER, dtype=np.int64)
        arrivals = np.full((people, teams), _NEVER, dtype=np.int64)
        held, known = self._origins.shape
        origins[:held, :known] = self._origins
        arrivals[:held, :known] = self._arrivals
        self._origins, self._arrivals = origins, arrivals
        self._origin_rows, self._arrival_rows = list(origins), list(arrivals)
        self._wins = np.empty(teams, dtype=np.bool_)

    def expire(self, oldest_kept_ms: int) -> None:
        """Drop views whose origin is older than ``oldest_kept_ms``."""
        if self._floor is not None and oldest_kept_ms <= self._floor:
            return
        self._floor = oldest_kept_ms
        if self._earliest is None or oldest_kept_ms <= self._earliest:
            return  # no view is that old (while the window fills: no scan of the matrices)
        self._earliest = oldest_kept_ms
        people = len(self._rows)
        old = self._origins[:people] < oldest_kept_ms
        np.putmask(self._origins[:people], old, _NEVER)
        np.putmask(self._arrivals[:people], old, _NEVER)

    def staleness(
        self, as_of_ms: int, directory: Directory, min_group_size: int
    ) -> dict[Pair, PairStaleness]:
        """Staleness of every reported team B about every other reported team A, sorted."""
        reported = [team for team in directory.teams() if directory.members(team) >= min_group_size]
        members: dict[str, list[int]] = {}
        for person, row in self._rows.items():
            members.setdefault(directory.team_of(person), []).append(row)
        result: dict[Pair, PairStaleness] = {}
        for team in reported:
            latencies = self._latencies(members.get(team, []), as_of_ms)
            size = directory.members(team)
            for source in reported:
                if source == team:
                    continue
                reached, latency = latencies.get(source, (0, None))
                seconds = None if latency is None else round(latency / 1000, 9)
                result[team, source] = {
                    "median_seconds": seconds,
                    "reached": round(reached / size, 9),
                }
        return result

    def _latencies(self, rows: list[int], as_of_ms: int) -> dict[str, tuple[int, int]]:
        """Per origin team: how many of ``rows`` have a view of it, and the nearest-rank median
        of their latencies (ms, clamped at 0) at ``as_of_ms``."""
        if not rows:
            return {}
        ordered = np.sort(self._origins[rows], axis=0)
        held = np.count_nonzero(ordered != _NEVER, axis=0).tolist()
        found: dict[str, tuple[int, int]] = {}
        for team, column in self._columns.items():
            if count := held[column]:  # the ⌈count/2⌉-th latest origin: the median latency
                origin = int(ordered[len(rows) - (count + 1) // 2, column])
                found[team] = (count, max(0, as_of_ms - origin))
        return found


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
