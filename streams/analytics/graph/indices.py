"""Org and team metrics read from window aggregates in O(teams) (DESIGN §3)."""

from __future__ import annotations

from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.pairs import from_micro
from streams.model import UNASSIGNED


def ei_index(internal: int, external: int) -> float | None:
    """Krackhardt E-I index (E - I)/(E + I); ``None`` when E + I = 0.

    >>> ei_index(internal=3, external=1)
    -0.5
    >>> ei_index(0, 4)
    1.0
    >>> ei_index(0, 0) is None
    True
    """
    total = external + internal
    return (external - internal) / total if total else None


def reciprocity(window: WindowGraph) -> float | None:
    """networkx overall reciprocity: reciprocated directed edges / directed edges."""
    return window.reciprocated / window.edges if window.edges else None


def modularity(window: WindowGraph) -> float | None:
    """Modularity of the formal team partition (``unassigned`` as one community).

    The undirected weighted graph has weight(u, v) = w(u→v) + w(v→u) (networkx's
    ``to_undirected`` would keep one direction only). Its total weight is W, a community's
    internal weight is I_c and its degree sum 2·I_c + E_c, so
    Q = Σ_c [ I_c/W - ((2·I_c + E_c)/(2W))² ]; ``None`` when W = 0.
    """
    teams = window.teams
    total = teams.total
    if not total:
        return None
    q = 0.0
    for label in teams.labels():
        internal, external = teams.internal(label), teams.external(label)
        q += internal / total - ((2 * internal + external) / (2 * total)) ** 2
    return q


def bridge_concentration(largest_member: int, external: int) -> float | None:
    """Largest external weight of one member of a team over its E; ``None`` when E = 0."""
    return largest_member / external if external else None


def team_flow(
    window: WindowGraph, include_unassigned: bool = False
) -> dict[tuple[str, str], float]:
    """Team flow s→t (weight of pairs from a member of s to a member of t, s ≠ t), sorted.

    ``unassigned`` is left out unless ``include_unassigned``; small teams are the caller's
    choice (DESIGN §4 reports only teams of at least min_group_size members by name).
    """
    return {
        pair: from_micro(weight)
        for pair, weight in window.teams.flow().items()
        if include_unassigned or UNASSIGNED not in pair
    }
