"""The snapshot JSON of one tenant and window (DESIGN §5), built from aggregates in O(teams)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from streams.analytics.directory import Directory
from streams.analytics.feedback.stats import FeedbackStats, ScopeStats
from streams.analytics.graph import indices
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.pairs import from_micro

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


def team_entry(window: WindowGraph, team: str, members: int, siloed: bool) -> dict[str, Any]:
    """The snapshot entry of one reported team."""
    internal = window.teams.internal(team)
    external = window.teams.external(team)
    bridge = window.teams.max_member_external(team)
    return {
        "members": members,
        "internal": number(from_micro(internal)),
        "external": number(from_micro(external)),
        "ei_index": number(indices.ei_index(internal, external)),
        "partner_teams": window.teams.partner_teams(team),
        "bridge_concentration": number(indices.bridge_concentration(bridge, external)),
        "single_bridge": external > 0 and Fraction(bridge, external) >= SINGLE_BRIDGE,
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


def teams_section(
    window: WindowGraph, directory: Directory, reported: Collection[str], siloed: Collection[str]
) -> dict[str, Any]:
    """Entries of the ``reported`` teams, by name."""
    return {
        team: team_entry(window, team, directory.members(team), team in siloed)
        for team in sorted(reported)
    }


def flow_section(window: WindowGraph, reported: Collection[str]) -> list[dict[str, Any]]:
    """Team→team flow between two ``reported`` teams, sorted by (src, dst)."""
    return [
        {"src": src, "dst": dst, "weight": number(weight)}
        for (src, dst), weight in indices.team_flow(window).items()
        if src in reported and dst in reported
    ]


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
    reported = set(reported_teams(source.window, source.directory, source.min_group_size))
    return {
        "tenant": source.tenant,
        "window": source.window_name,
        "as_of": iso_utc(source.as_of),
        "org": org_section(source.window),
        "teams": teams_section(source.window, source.directory, reported, source.siloed),
        "flow": flow_section(source.window, reported),
        "feedback": feedback_section(feedback or FeedbackStats()),
    }
