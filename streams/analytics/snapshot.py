"""The snapshot JSON of one tenant and window (DESIGN §5), built from the window aggregates.

Team flow has an entry per pair of teams and bridges are read from per-team tables, so
reading them all at each refresh would cost O(teams² + people). A :class:`WindowMemo` per
window keeps them between refreshes and updates only the flow entries and teams that the
aggregates logged as changed: a refresh costs O(teams) plus the changed entries.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import compress
from typing import Any
from weakref import WeakKeyDictionary

from streams.analytics.directory import Directory
from streams.analytics.feedback.stats import FeedbackStats, ScopeStats
from streams.analytics.graph import indices
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.graph.teams import LANE, LANE_BITS, lane
from streams.analytics.pairs import from_micro
from streams.model import UNASSIGNED

DIGITS = 9
"""Every float in a snapshot is rounded to this many decimals so the JSON is stable."""

SINGLE_BRIDGE = Fraction(4, 5)
"""A team whose bridge concentration reaches this (compared exactly) hangs on one bridge."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def number(value: float | None) -> float | None:
    """A float rounded to :data:`DIGITS` decimals (``None`` stays ``None``)."""
    return None if value is None else round(value, DIGITS)


def iso_utc(t_ms: int | None) -> str | None:
    """ISO-8601 UTC with milliseconds and ``Z``, e.g. ``2001-10-31T23:59:59.123Z``."""
    if t_ms is None:
        return None
    text = (_EPOCH + timedelta(milliseconds=t_ms)).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def org_section(window: WindowGraph) -> dict[str, Any]:
    """People, pairs, modularity and reciprocity of a window."""
    return {
        "people": window.people,
        "pairs": window.pairs,
        "modularity": number(indices.modularity(window)),
        "reciprocity": number(indices.reciprocity(window)),
    }


TeamInputs = tuple[int, int, int, int, int, bool]
"""What a team's entry is made of: (internal, external, members, partner teams, largest
external weight of one member, siloed)."""


def team_entry(inputs: TeamInputs) -> dict[str, Any]:
    """The snapshot entry of one reported team."""
    internal, external, members, partners, bridge, siloed = inputs
    return {
        "members": members,
        "internal": number(from_micro(internal)),
        "external": number(from_micro(external)),
        "ei_index": number(indices.ei_index(internal, external)),
        "partner_teams": partners,
        "bridge_concentration": number(indices.bridge_concentration(bridge, external)),
        "single_bridge": external > 0
        and bridge * SINGLE_BRIDGE.denominator >= external * SINGLE_BRIDGE.numerator,
        "siloed": siloed,
    }


def qualifies(team: str, window: WindowGraph, directory: Directory, min_group_size: int) -> bool:
    """Whether ``team`` is named in the window's numbers (README "Privacy"), in O(1).

    It must have at least ``min_group_size`` members in the directory and at least that many
    active people (with a pair) in the window; ``unassigned`` never qualifies.
    """
    return directory.members(team) >= min_group_size and window.teams.active(team) >= min_group_size


def reported_teams(window: WindowGraph, directory: Directory, min_group_size: int) -> list[str]:
    """The teams that :func:`qualifies` in the window, sorted."""
    return [t for t in directory.teams() if qualifies(t, window, directory, min_group_size)]


def _lanes(values: Iterable[int], slot: int) -> Iterator[int]:
    """The lane of ``slot`` of each packed value, in C loops."""
    return map(LANE.__and__, map((LANE_BITS * slot).__rrshift__, values))


class _Largest:
    """The largest ``slot`` lane among a team's bridges (the largest external weight of one
    member) and a member holding it; updated from changed members while it only grows or
    another member changes, computed again when the holder's own weight went down."""

    __slots__ = ("holder", "value")

    def __init__(self, bridges: dict[str, int], slot: int) -> None:
        lanes = list(_lanes(bridges.values(), slot))
        self.value = max(lanes, default=0)
        self.holder = next(compress(bridges, map(self.value.__eq__, lanes)), None)

    def update(self, member: str, value: int) -> bool:
        """Account ``member``'s new ``value``; ``False`` when the largest must be computed
        again (the holder went down)."""
        if value >= self.value:
            self.value, self.holder = value, member
            return True
        return member != self.holder


class _Row:
    """The flow entries from one team: destination teams sorted, their entries, and how
    many destinations are not reported."""

    __slots__ = ("entries", "hidden", "keys")

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.entries: list[dict[str, Any]] = []
        self.hidden = 0

    def shown(self, reported: Collection[str]) -> list[dict[str, Any]]:
        """The entries whose destination is reported."""
        if not self.hidden:
            return self.entries
        return [
            entry for dst, entry in zip(self.keys, self.entries, strict=True) if dst in reported
        ]


Rank = tuple[int, str, str]
"""A flow entry's place in the exporter's order: (-micro weight, src, dst), smallest first."""


class _Top:
    """The ``k`` first flow entries between reported teams in :data:`Rank` order, updated
    from changed entries while they only move up or the list has room; marked stale (and
    found again from every row when read) when a held entry moved down or left."""

    __slots__ = ("k", "ranks", "stale", "worst")

    def __init__(self, k: int) -> None:
        self.k = k
        self.ranks: dict[tuple[str, str], Rank] = {}
        self.worst: Rank | None = None
        self.stale = True

    def update(self, key: tuple[str, str], rank: Rank | None) -> None:
        """Account the entry ``key`` at its new ``rank`` (``None``: not shown any more)."""
        if self.stale:
            return
        ranks, old = self.ranks, self.ranks.get(key)
        full = len(ranks) == self.k
        if old is not None:
            if full and (rank is None or rank > old):
                self.stale = True  # an entry outside may now be ahead of it
                return
            if rank is None:
                del ranks[key]
            else:
                ranks[key] = rank
            if old == self.worst or (rank is not None and rank > old):
                self.worst = max(ranks.values(), default=None)
        elif rank is None or (full and self.worst is not None and rank > self.worst):
            return  # not shown, or behind all of the first k
        else:
            ranks[key] = rank
            if len(ranks) > self.k:
                del ranks[max(ranks, key=ranks.__getitem__)]
                self.worst = max(ranks.values())
            elif self.worst is None or rank > self.worst:
                self.worst = rank

    def fill(self, shown: Iterable[Rank]) -> None:
        """Find the first ``k`` of every shown entry again."""
        first = heapq.nsmallest(self.k, shown)
        self.ranks = {(src, dst): (weight, src, dst) for weight, src, dst in first}
        self.worst = first[-1] if first else None
        self.stale = False


class WindowMemo:
    """What the snapshot of one window keeps between refreshes, so that a refresh costs
    O(teams) plus what changed in the window since the previous one.

    Team flow rows and members' largest external weights are updated from the flow keys and
    teams the aggregates logged as changed (:class:`~streams.analytics.graph.teams.ChangeLog`);
    the rows only when the full flow is read (:meth:`flow`), the top lists of
    :meth:`top_flow` at each refresh. Everything else is read from the O(1) aggregates each
    time. Snapshots share their
    unchanged flow entries with later snapshots: callers treat snapshots as read-only.
    """

    def __init__(self, window: WindowGraph) -> None:
        self.aggregates = window.store.teams
        self.slot = window.slot
        self.reported: frozenset[str] = frozenset()
        self._rows: dict[str, _Row] = {}
        self._bridges: dict[str, _Largest] = {}
        self._tops: dict[int, _Top] = {}
        self._teams: dict[str, tuple[TeamInputs, dict[str, Any]]] = {}
        self._pending: set[tuple[str, str]] | None = None
        """Flow keys changed since the rows were last brought up to date (``None``: every
        key); the rows are only read by :meth:`flow`, so only it applies them."""
        self.aggregates.flow_log.subscribe(self.slot)
        self.aggregates.bridges_log.subscribe(self.slot)

    def refresh(self, reported: frozenset[str]) -> None:
        """Bring the memo up to date with the aggregates and the ``reported`` teams."""
        aggregates = self.aggregates
        changed = aggregates.flow_log.take(self.slot)
        if changed is None:
            self._pending = None
            self._tops.clear()
        else:
            self._rank(changed)
            if self._pending is not None:
                self._pending |= changed
                if len(self._pending) > len(aggregates.flow):
                    self._pending = None  # as dear to apply as reading the table again
        self._update_bridges(aggregates.bridges_log.take(self.slot))
        if reported != self.reported:
            self.reported = reported
            self._tops.clear()
            for row in self._rows.values():
                row.hidden = len(row.keys) - sum(map(reported.__contains__, row.keys))
            for team in self._bridges.keys() - reported:
                del self._bridges[team]
            for team in self._teams.keys() - reported:
                del self._teams[team]

    def team(self, window: WindowGraph, team: str, members: int, siloed: bool) -> dict[str, Any]:
        """The entry of reported ``team`` (the previous one while its inputs are the same)."""
        view = window.teams
        inputs = (
            view.internal(team),
            view.external(team),
            members,
            view.partner_teams(team),
            self.max_member_external(team),
            siloed,
        )
        held = self._teams.get(team)
        if held is not None and held[0] == inputs:
            return held[1]
        entry = team_entry(inputs)
        self._teams[team] = (inputs, entry)
        return entry

    def max_member_external(self, team: str) -> int:
        """Largest external weight carried by one member of ``team`` in the window."""
        largest = self._bridges.get(team)
        if largest is None:
            largest = self._bridges[team] = _Largest(
                self.aggregates.bridges.get(team, {}), self.slot
            )
        return largest.value

    def flow(self, reported: list[str]) -> list[dict[str, Any]]:
        """Team→team flow between two ``reported`` teams (sorted), sorted by (src, dst)."""
        if self._pending is None:
            self._rows.clear()
            self._update_flow(list(self.aggregates.flow))
        else:
            self._update_flow(self._pending)
        self._pending = set()
        rows, shown = self._rows, self.reported
        flow: list[dict[str, Any]] = []
        for src in reported:
            row = rows.get(src)
            if row is not None:
                flow.extend(row.shown(shown))
        return flow

    def top_flow(self, k: int) -> list[dict[str, Any]]:
        """The ``k`` heaviest flow entries between reported teams, heaviest first (ties by
        src, then dst): O(changed entries) while the heaviest only grow, O(entries) after
        one of them went down, left the window or the reported teams changed."""
        top = self._tops.get(k)
        if top is None:
            top = self._tops[k] = _Top(k)
        if top.stale:
            top.fill(self._shown_ranks())
        return [
            {"src": src, "dst": dst, "weight": number(from_micro(-weight))}
            for weight, src, dst in sorted(top.ranks.values())
        ]

    def _shown_ranks(self) -> Iterator[Rank]:
        reported, slot = self.reported, self.slot
        for (src, dst), value in self.aggregates.flow.items():
            if src in reported and dst in reported:
                weight = lane(value, slot)
                if weight:
                    yield -weight, src, dst

    def _rank(self, changed: Iterable[tuple[str, str]]) -> None:
        """Account changed flow entries between reported teams in the top lists."""
        tops = self._tops.values()
        if not tops:
            return
        reported, slot, table = self.reported, self.slot, self.aggregates.flow
        for key in changed:
            src, dst = key
            if src in reported and dst in reported:
                new = lane(table.get(key, 0), slot)
                rank = (-new, src, dst) if new else None
                for top in tops:
                    top.update(key, rank)

    def _update_bridges(self, changed: set[tuple[str, str]] | None) -> None:
        largest, bridges, slot = self._bridges, self.aggregates.bridges, self.slot
        if changed is None:
            largest.clear()
            return
        for team, member in changed:
            held = largest.get(team)
            if held is not None:
                value = lane(bridges.get(team, {}).get(member, 0), slot)
                if not held.update(member, value):
                    del largest[team]  # computed again when read

    def _update_flow(self, changed: Iterable[tuple[str, str]]) -> None:
        slot, rows, reported, table = self.slot, self._rows, self.reported, self.aggregates.flow
        for key in changed:
            src, dst = key
            if src == UNASSIGNED or dst == UNASSIGNED:
                continue
            new = lane(table.get(key, 0), slot)
            row = rows.get(src)
            if row is None:
                if not new:
                    continue
                row = rows[src] = _Row()
            keys = row.keys
            at = bisect_left(keys, dst)
            held = at < len(keys) and keys[at] == dst
            if not new:
                if held:
                    del keys[at], row.entries[at]
                    row.hidden -= dst not in reported
                    if not keys:
                        del rows[src]
                continue
            weight = number(from_micro(new))
            if not held:
                keys.insert(at, dst)
                row.entries.insert(at, {"src": src, "dst": dst, "weight": weight})
                row.hidden += dst not in reported
            elif row.entries[at]["weight"] != weight:
                row.entries[at] = {"src": src, "dst": dst, "weight": weight}


_MEMOS: WeakKeyDictionary[WindowGraph, WindowMemo] = WeakKeyDictionary()


def window_memo(window: WindowGraph) -> WindowMemo:
    """The memo of ``window``, kept as long as the window graph lives."""
    memo = _MEMOS.get(window)
    if memo is None or memo.aggregates is not window.store.teams or memo.slot != window.slot:
        memo = _MEMOS[window] = WindowMemo(window)
    return memo


def scope_section(stats: ScopeStats) -> dict[str, Any]:
    """The ``within_team`` / ``cross_team`` part of the feedback section."""
    return {
        "answered": stats.answered,
        "p50_seconds": number(stats.p50_seconds),
        "p90_seconds": number(stats.p90_seconds),
    }


def feedback_section(stats: FeedbackStats) -> dict[str, Any]:
    """The ``feedback`` section of a snapshot."""
    return {
        "requests": stats.requests,
        "answered": stats.answered,
        "unanswered": stats.unanswered,
        "open": stats.open,
        "p50_seconds": number(stats.p50_seconds),
        "p90_seconds": number(stats.p90_seconds),
        "within_team": scope_section(stats.within_team),
        "cross_team": scope_section(stats.cross_team),
    }


@dataclass(frozen=True)
class SnapshotInput:
    """Everything a snapshot reads; the caller owns the objects, nothing is copied."""

    tenant: str
    window_name: str
    as_of: int | None
    window: WindowGraph
    directory: Directory
    min_group_size: int
    siloed: Collection[str]


def build_snapshot(
    source: SnapshotInput, feedback: FeedbackStats | None = None, top_flow: int | None = None
) -> dict[str, Any]:
    """The DESIGN §5 snapshot dict of one tenant and window.

    Besides the §5 keys, each team entry has ``single_bridge`` (bridge concentration ≥
    :data:`SINGLE_BRIDGE`) and ``flow`` lists team→team flow between reported teams, sorted
    by (src, dst); with ``top_flow`` only that many, the heaviest first (what the exporter
    shows), in O(what changed) instead of O(flow entries). Only teams that
    :func:`qualifies` in the window are named.
    """
    window, directory = source.window, source.directory
    reported = reported_teams(window, directory, source.min_group_size)
    memo = window_memo(window)
    memo.refresh(frozenset(reported))
    teams = {
        team: memo.team(window, team, directory.members(team), team in source.siloed)
        for team in reported
    }
    return {
        "tenant": source.tenant,
        "window": source.window_name,
        "as_of": iso_utc(source.as_of),
        "org": org_section(window),
        "teams": teams,
        "flow": memo.flow(reported) if top_flow is None else memo.top_flow(top_flow),
        "feedback": feedback_section(feedback or FeedbackStats()),
    }
