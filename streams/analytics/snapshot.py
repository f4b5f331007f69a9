"""The snapshot JSON of one tenant and window (DESIGN §5), built from the window aggregates.

Team flow has an entry per pair of teams, and partner teams and bridges are read from
per-team tables, so reading them all at each refresh would cost O(teams² + people). A
:class:`WindowMemo` per window keeps them between refreshes and updates only the entries
that changed, found in C loops (:class:`Mirror`): a refresh costs O(teams) in Python steps
plus the changed entries.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import compress, repeat
from operator import countOf, is_not, not_
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from streams.analytics.directory import Directory
from streams.analytics.feedback.stats import FeedbackStats, ScopeStats
from streams.analytics.graph import indices
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.graph.teams import LANE, LANE_BITS, lane
from streams.analytics.pairs import from_micro
from streams.model import UNASSIGNED

K = TypeVar("K")

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


def team_entry(
    window: WindowGraph, team: str, members: int, siloed: bool, partners: int, bridge: int
) -> dict[str, Any]:
    """The snapshot entry of one reported team with ``partners`` partner teams and
    ``bridge`` the largest external weight of one member."""
    internal = window.teams.internal(team)
    external = window.teams.external(team)
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


def changed_positions(values: list[int], before: list[int]) -> list[int]:
    """Positions below both lengths where ``values`` holds another object than ``before``.

    The aggregates replace a value object whenever they change it, so this finds what
    changed since ``before`` was read in C loops, without a Python step per entry.
    """
    if values == before:  # identical objects compare in C without reading them
        return []
    return list(compress(range(len(values)), map(is_not, values, before)))


def _follow(kept: list[int], values: list[int], changed: list[int]) -> None:
    """Make ``kept`` equal to ``values`` in place, given the ``changed`` positions.

    Mirrors are long-lived lists changed in place, so the garbage collector's young
    generations never hold a table-sized container (it would traverse every entry).
    """
    for i in changed:
        kept[i] = values[i]
    if len(values) > len(kept):
        kept.extend(values[len(kept) :])
    else:
        del kept[len(values) :]


Changes = tuple[list[K], list[int], list[int]]
"""Changed keys with their values before and now (0 where absent), as parallel lists."""


class Mirror(Generic[K]):
    """The keys and value objects a table of packed aggregates held when last read.

    While the copies of a large table are alive only a few containers are allocated, so
    that no garbage collection runs over them.
    """

    __slots__ = ("keys", "values")

    def __init__(self) -> None:
        self.keys: list[K] = []
        self.values: list[int] = []

    def changes(self, table: dict[K, int]) -> Changes[K]:
        """The keys whose value changed since the previous call, then remember ``table``."""
        keys, values = list(table), list(table.values())
        kept = len(self.keys)
        if keys == self.keys if len(keys) == kept else keys[:kept] == self.keys:
            changed = changed_positions(values, self.values)
            found = _at(changed, keys, self.values, values)
            found[0].extend(keys[kept:])
            found[1].extend(repeat(0, len(keys) - kept))
            found[2].extend(values[kept:])
            _follow(self.values, values, changed)
            self.keys.extend(keys[kept:])
            return found
        # keys were removed: the others keep their order, new ones come last
        present = list(map(table.__contains__, self.keys))
        kept_keys = list(compress(self.keys, present))
        if keys[: len(kept_keys)] != kept_keys:  # a removed key came back, at the end
            before = dict(zip(self.keys, self.values, strict=True))
            self.keys, self.values = keys, values
            return _changes_by_key(before, table)
        absent = list(map(not_, present))
        gone = list(compress(self.keys, absent)), list(compress(self.values, absent))
        old_values = list(compress(self.values, present))
        changed = changed_positions(values, old_values)
        found = _at(changed, keys, old_values, values)
        found[0].extend(keys[len(kept_keys) :] + gone[0])
        found[1].extend(repeat(0, len(keys) - len(kept_keys)))
        found[1].extend(gone[1])
        found[2].extend(values[len(kept_keys) :])
        found[2].extend(repeat(0, len(gone[0])))
        self.keys, self.values = keys, values
        return found


def _at(changed: list[int], keys: list[K], before: list[int], values: list[int]) -> Changes[K]:
    return [keys[i] for i in changed], [before[i] for i in changed], [values[i] for i in changed]


def _changes_by_key(before: dict[K, int], table: dict[K, int]) -> Changes[K]:
    found: Changes[K] = ([], [], [])
    for key, now in table.items():
        if before.get(key) is not now:
            found[0].append(key)
            found[1].append(before.get(key, 0))
            found[2].append(now)
    for key, value in before.items():
        if key not in table:
            found[0].append(key)
            found[1].append(value)
            found[2].append(0)
    return found


def _lanes(values: Iterable[int], slot: int) -> Iterator[int]:
    """The lane of ``slot`` of each packed value, in C loops."""
    return map(LANE.__and__, map((LANE_BITS * slot).__rrshift__, values))


class _Tally:
    """A number read from the values of one team's aggregate table (partner teams, the
    largest member external weight), kept with the value objects it was computed from.

    Neither number depends on which key holds which value, so comparing values position by
    position is exact even after keys were removed.
    """

    __slots__ = ("value", "values")

    def __init__(self) -> None:
        self.values: list[int] = []
        self.value = 0

    def partners(self, table: dict[str, int], slot: int) -> int:
        """Number of values whose ``slot`` lane is not 0."""
        values, before = list(table.values()), self.values
        changed = changed_positions(values, before)
        if changed or len(values) != len(before):
            shared = min(len(values), len(before))
            now = [values[i] for i in changed]
            now.extend(values[shared:])
            old = [before[i] for i in changed]
            old.extend(before[shared:])
            self.value += _nonzero(now, slot) - _nonzero(old, slot)
            _follow(before, values, changed)
        return self.value

    def largest(self, table: dict[str, int], slot: int) -> int:
        """The largest ``slot`` lane of the values (0 if none)."""
        values, before = list(table.values()), self.values
        changed = changed_positions(values, before)
        if not changed and len(values) == len(before):
            return self.value
        if len(values) >= len(before) and all(
            lane(values[i], slot) >= lane(before[i], slot) for i in changed
        ):  # nothing went down: the largest is the old one or a changed or new value
            grown = [values[i] for i in changed]
            grown.extend(values[len(before) :])
            self.value = max(self.value, max(_lanes(grown, slot), default=0))
        else:
            self.value = max(_lanes(values, slot), default=0)
        _follow(before, values, changed)
        return self.value


def _nonzero(values: list[int], slot: int) -> int:
    return len(values) - countOf(_lanes(values, slot), 0)


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


class WindowMemo:
    """What the snapshot of one window keeps between refreshes, so that a refresh costs
    O(teams) plus what changed in the window since the previous one.

    Team flow rows, partner-team counts and members' largest external weights are updated
    from the aggregate entries that changed (:class:`Mirror`); everything else is read from
    the O(1) aggregates each time. Snapshots share their unchanged flow entries with later
    snapshots: callers treat snapshots as read-only.
    """

    def __init__(self, window: WindowGraph) -> None:
        self.aggregates = window.store.teams
        self.slot = window.slot
        self.reported: frozenset[str] = frozenset()
        self._flow: Mirror[tuple[str, str]] = Mirror()
        self._rows: dict[str, _Row] = {}
        self._partners: dict[str, _Tally] = {}
        self._bridges: dict[str, _Tally] = {}

    def refresh(self, reported: frozenset[str]) -> None:
        """Bring the memo up to date with the aggregates and the ``reported`` teams."""
        self._update_flow()
        if reported != self.reported:
            self.reported = reported
            for row in self._rows.values():
                row.hidden = len(row.keys) - sum(map(reported.__contains__, row.keys))
            for tallies in (self._partners, self._bridges):
                for team in tallies.keys() - reported:
                    del tallies[team]

    def partner_teams(self, team: str) -> int:
        """Number of real teams with at least one pair to or from ``team`` in the window."""
        tally = self._partners.get(team)
        if tally is None:
            tally = self._partners[team] = _Tally()
        return tally.partners(self.aggregates.partners.get(team, {}), self.slot)

    def max_member_external(self, team: str) -> int:
        """Largest external weight carried by one member of ``team`` in the window."""
        tally = self._bridges.get(team)
        if tally is None:
            tally = self._bridges[team] = _Tally()
        return tally.largest(self.aggregates.bridges.get(team, {}), self.slot)

    def flow(self, reported: list[str]) -> list[dict[str, Any]]:
        """Team→team flow between two ``reported`` teams (sorted), sorted by (src, dst)."""
        rows, shown = self._rows, self.reported
        flow: list[dict[str, Any]] = []
        for src in reported:
            row = rows.get(src)
            if row is not None:
                flow.extend(row.shown(shown))
        return flow

    def _update_flow(self) -> None:
        slot, rows, reported = self.slot, self._rows, self.reported
        keys, befores, nows = self._flow.changes(self.aggregates.flow)
        for (src, dst), before, now in zip(keys, befores, nows, strict=True):
            old, new = lane(before, slot), lane(now, slot)
            if old == new or src == UNASSIGNED or dst == UNASSIGNED:
                continue
            row = rows.get(src)
            if row is None:
                row = rows[src] = _Row()
            at = bisect_left(row.keys, dst)
            if not new:
                del row.keys[at], row.entries[at]
                row.hidden -= dst not in reported
                if not row.keys:
                    del rows[src]
                continue
            entry = {"src": src, "dst": dst, "weight": number(from_micro(new))}
            if old:
                row.entries[at] = entry
            else:
                row.keys.insert(at, dst)
                row.entries.insert(at, entry)
                row.hidden += dst not in reported


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


def build_snapshot(source: SnapshotInput, feedback: FeedbackStats | None = None) -> dict[str, Any]:
    """The DESIGN §5 snapshot dict of one tenant and window.

    Besides the §5 keys, each team entry has ``single_bridge`` (bridge concentration ≥
    :data:`SINGLE_BRIDGE`) and ``flow`` lists team→team flow between reported teams. Only
    teams that :func:`qualifies` in the window are named.
    """
    window, directory = source.window, source.directory
    reported = reported_teams(window, directory, source.min_group_size)
    memo = window_memo(window)
    memo.refresh(frozenset(reported))
    teams = {
        team: team_entry(
            window,
            team,
            directory.members(team),
            team in source.siloed,
            memo.partner_teams(team),
            memo.max_member_external(team),
        )
        for team in reported
    }
    return {
        "tenant": source.tenant,
        "window": source.window_name,
        "as_of": iso_utc(source.as_of),
        "org": org_section(window),
        "teams": teams,
        "flow": memo.flow(reported),
        "feedback": feedback_section(feedback or FeedbackStats()),
    }
