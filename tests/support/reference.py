"""Independent reference computations with plain networkx, for checking the pipeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from streams.connectors.records import RawInteraction

HOUR_MS = 3_600_000


@dataclass
class Reference:
    """Per-team and org numbers of one window, computed from scratch."""

    internal: dict[str, float]
    external: dict[str, float]
    partners: dict[str, int]
    modularity: float
    reciprocity: float
    people: int
    pairs: int

    def ei(self, team: str) -> float | None:
        """(E - I)/(E + I), None without pairs."""
        i, e = self.internal.get(team, 0.0), self.external.get(team, 0.0)
        return None if i + e == 0 else (e - i) / (e + i)


def window_events(events: list[RawInteraction], window_hours: int) -> list[RawInteraction]:
    """The events whose hour bucket lies in the window ending at the newest event's bucket."""

    def ms(e: RawInteraction) -> int:
        assert isinstance(e.occurred_at, int)
        return e.occurred_at

    newest = max(ms(e) for e in events) // HOUR_MS
    return [e for e in events if ms(e) // HOUR_MS > newest - window_hours]


def reference(
    events: Iterable[RawInteraction], teams: Mapping[str, str], max_targets: int = 50
) -> Reference:
    """E/I, partner teams, modularity of the team partition and reciprocity, from scratch."""
    directed = nx.DiGraph()
    weights: dict[tuple[str, str], float] = defaultdict(float)
    internal: dict[str, float] = defaultdict(float)
    external: dict[str, float] = defaultdict(float)
    partners: dict[str, set[str]] = defaultdict(set)
    pairs = 0
    for event in events:
        if len(event.targets) > max_targets:
            continue
        for target in event.targets:
            if target == event.actor:
                continue
            pairs += 1
            directed.add_edge(event.actor, target)
            weights[(event.actor, target)] += event.weight
            a, b = teams.get(event.actor), teams.get(target)
            if a is not None and a == b:
                internal[a] += event.weight
                continue
            for mine, other in ((a, b), (b, a)):
                if mine is not None:
                    external[mine] += event.weight
                    if other is not None:
                        partners[mine].add(other)
    undirected = nx.Graph()
    for (u, v), w in weights.items():
        previous = undirected.get_edge_data(u, v, {"weight": 0.0})["weight"]
        undirected.add_edge(u, v, weight=previous + w)
    communities: dict[str, set[str]] = defaultdict(set)
    for person in undirected:
        communities[teams.get(person, "unassigned")].add(person)
    return Reference(
        internal=dict(internal),
        external=dict(external),
        partners={t: len(p) for t, p in partners.items()},
        modularity=nx.community.modularity(undirected, communities.values(), weight="weight"),
        reciprocity=nx.reciprocity(directed),
        people=directed.number_of_nodes(),
        pairs=pairs,
    )
