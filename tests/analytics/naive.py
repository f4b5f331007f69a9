"""Independent reference: plain networkx / Python recomputation from the raw events.

Nothing here imports streams.analytics; it re-derives late/duplicate handling, windows and
every metric from the definitions in DESIGN §3.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import networkx as nx

from streams.model import UNASSIGNED, Interaction

Op = tuple[str, Any]
"""("event", Interaction) or ("dir", (person, team or None, bot))."""


@dataclass
class Replay:
    """Outcome of feeding ops in order with the naive late/duplicate rules."""

    accepted: list[Interaction] = field(default_factory=list)
    directory: dict[str, str] = field(default_factory=dict)
    watermark: int | None = None
    late: int = 0
    duplicate: int = 0
    broadcast: int = 0


def set_team(directory: dict[str, str], person: str, team: str | None) -> None:
    """Directory update; None or 'unassigned' removes the person."""
    directory.pop(person, None)
    if team is not None and team != UNASSIGNED:
        directory[person] = team


def replay(
    ops: Iterable[Op],
    bucket_ms: int,
    largest: int,
    max_targets: int,
    before_accept: Callable[[Replay, Interaction], None] | None = None,
) -> Replay:
    """Classify events: late if its bucket is older than the oldest kept one, dup by id.

    ``before_accept(state, event)`` runs before each accepted event is applied.
    """
    state = Replay()
    ids: set[str] = set()
    for kind, value in ops:
        if kind == "dir":
            set_team(state.directory, value[0], value[1])  # a bot flag is not graph data
            continue
        event: Interaction = value
        if state.watermark is not None:
            oldest = state.watermark // bucket_ms - largest + 1
            if event["occurred_at"] // bucket_ms < oldest:
                state.late += 1
                continue
        if event["event_id"] in ids:
            state.duplicate += 1
            continue
        ids.add(event["event_id"])
        if before_accept is not None:
            before_accept(state, event)
        state.accepted.append(event)
        state.broadcast += len(event["targets"]) > max_targets
        wm = state.watermark
        state.watermark = event["occurred_at"] if wm is None else max(wm, event["occurred_at"])
    return state


def window_pairs(
    events: Sequence[Interaction], watermark: int, bucket_ms: int, span: int, max_targets: int
) -> list[tuple[str, str, float]]:
    """Pairs (actor, target, weight) of the events in the window's buckets."""
    low = watermark // bucket_ms - span + 1
    return [
        (e["actor"], t, round(e["weight"] * 1e6) / 1e6)
        for e in events
        if e["occurred_at"] // bucket_ms >= low and len(e["targets"]) <= max_targets
        for t in e["targets"]
        if t != e["actor"]
    ]


def team_of(directory: dict[str, str], person: str) -> str:
    return directory.get(person, UNASSIGNED)


def digraph(pairs: Sequence[tuple[str, str, float]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for a, b, w in pairs:
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += w
        else:
            graph.add_edge(a, b, weight=w)
    return graph


def undirected(pairs: Sequence[tuple[str, str, float]]) -> nx.Graph:
    graph = nx.Graph()
    for a, b, w in pairs:
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += w
        else:
            graph.add_edge(a, b, weight=w)
    return graph


def org(pairs: Sequence[tuple[str, str, float]], directory: dict[str, str]) -> dict[str, Any]:
    """people, pairs, modularity, reciprocity straight from networkx."""
    directed, graph = digraph(pairs), undirected(pairs)
    communities: dict[str, set[str]] = defaultdict(set)
    for person in graph:
        communities[team_of(directory, person)].add(person)
    total = sum(w for _, _, w in pairs)
    modularity = (
        nx.community.modularity(graph, list(communities.values()), weight="weight")
        if pairs and total
        else None
    )
    return {
        "people": directed.number_of_nodes(),
        "pairs": len(pairs),
        "modularity": modularity,
        "reciprocity": nx.reciprocity(directed) if directed.number_of_edges() else None,
    }


def team(
    pairs: Sequence[tuple[str, str, float]], directory: dict[str, str], name: str
) -> dict[str, Any]:
    """internal, external, ei_index, partner_teams, bridge_concentration of one team.

    Sums are exact rationals of the micro-quantized weights, so the E-I index is the
    correctly rounded exact value (threshold comparisons cannot flip on float noise).
    """
    internal = external = Fraction(0)
    partners: set[str] = set()
    member_external: dict[str, Fraction] = defaultdict(Fraction)
    for a, b, weight in pairs:
        w = Fraction(round(weight * 1_000_000), 1_000_000)
        ta, tb = team_of(directory, a), team_of(directory, b)
        if ta == name and tb == name:
            internal += w
        elif name in (ta, tb):
            external += w
            inside, other = (a, tb) if ta == name else (b, ta)
            member_external[inside] += w
            if other != UNASSIGNED:
                partners.add(other)
    total = internal + external
    return {
        "members": sum(1 for t in directory.values() if t == name),
        "internal": float(internal),
        "external": float(external),
        "ei_index": float((external - internal) / total) if total else None,
        "partner_teams": len(partners),
        "bridge_concentration": (
            float(max(member_external.values()) / external) if external else None
        ),
        "single_bridge": bool(external)
        and max(member_external.values()) / external >= Fraction(4, 5),
    }


def tracked(directory: dict[str, str], min_size: int) -> list[str]:
    """Real teams with at least ``min_size`` directory members, sorted."""
    sizes = Counter(directory.values())
    return sorted(t for t in sizes if t != UNASSIGNED and sizes[t] >= min_size)


def qualifying(
    pairs: Sequence[tuple[str, str, float]], directory: dict[str, str], min_size: int
) -> set[str]:
    """Tracked teams with at least ``min_size`` people in some pair of ``pairs``."""
    active = Counter(team_of(directory, p) for p in {p for a, b, _ in pairs for p in (a, b)})
    return {t for t in tracked(directory, min_size) if active[t] >= min_size}


def teams(
    pairs: Sequence[tuple[str, str, float]], directory: dict[str, str], min_size: int
) -> dict[str, dict[str, Any]]:
    """The entries of the teams named in the window (:func:`qualifying`)."""
    named = qualifying(pairs, directory, min_size)
    return {t: team(pairs, directory, t) for t in sorted(named)}


def flow(
    pairs: Sequence[tuple[str, str, float]], directory: dict[str, str]
) -> dict[tuple[str, str], float]:
    """Team flow s→t between real teams, s ≠ t."""
    result: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, w in pairs:
        ta, tb = team_of(directory, a), team_of(directory, b)
        if ta != tb and UNASSIGNED not in (ta, tb):
            result[(ta, tb)] += w
    return {k: v for k, v in result.items() if v}


def assert_close(actual: Any, expected: Any, path: str = "") -> None:
    """Recursive equality with floats compared at 1e-9 relative / absolute tolerance."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert sorted(actual) == sorted(expected), (path, sorted(actual), sorted(expected))
        for key in expected:
            assert_close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert actual is not None, path
        assert abs(actual - expected) <= 1e-8 * max(1.0, abs(expected)), (path, actual, expected)
    else:
        assert actual == expected, (path, actual, expected)


@dataclass
class SiloSim:
    """Naive hysteresis: evaluate at each accepted event entering a new bucket."""

    bucket_ms: int
    span: int
    max_targets: int
    min_size: int
    enter: float
    exit: float
    consecutive: int
    streak: dict[str, int] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)
    siloed: set[str] = field(default_factory=set)
    transitions: list[tuple[str, str, float, int]] = field(default_factory=list)

    def __call__(self, state: Replay, event: Interaction) -> None:
        wm = state.watermark
        if wm is None or event["occurred_at"] // self.bucket_ms <= wm // self.bucket_ms:
            return
        pairs = window_pairs(state.accepted, wm, self.bucket_ms, self.span, self.max_targets)
        named = teams(pairs, state.directory, self.min_size)
        eis = {
            name: named[name]["ei_index"] if name in named else None
            for name in tracked(state.directory, self.min_size)
        }
        found = []
        for name in sorted(self.siloed - set(eis)):
            self.siloed.discard(name)
            found.append((name, "resolved", self.last[name], wm))
        self.streak = {k: v for k, v in self.streak.items() if k in eis}
        for name, ei in eis.items():
            found.extend(self._step(name, ei, wm))
        self.last = {k: v for k, v in self.last.items() if k in eis}
        self.transitions.extend(sorted(found))

    def _step(self, name: str, ei: float | None, wm: int) -> list[tuple[str, str, float, int]]:
        if ei is None:
            self.streak[name] = 0
            return []
        self.last[name] = ei
        if name in self.siloed:
            if ei >= self.exit:
                self.siloed.discard(name)
                return [(name, "resolved", ei, wm)]
            return []
        self.streak[name] = self.streak.get(name, 0) + 1 if ei <= self.enter else 0
        if self.streak[name] >= self.consecutive:
            self.streak[name] = 0
            self.siloed.add(name)
            return [(name, "firing", ei, wm)]
        return []
