"""Refresh cost of the incremental window aggregates vs a naive networkx recompute.

Builds a seeded 10,000-person, 500,000-pair window (20 teams) through TenantState, then
times in the same run: a snapshot refresh (O(teams)) against reciprocity + modularity +
E-I recomputed from the window graph with networkx, plus ingest, replay and checkpoint.
Then times the refresh for orgs of 1k, 10k and 50k people at 50 pairs per person (same
teams) and fits the exponent k of refresh ~ people^k by least squares on log-log.

    .venv/bin/python benchmarks/bench_graph.py [--people 10000] [--pairs 500000] [--louvain]
        [--sizes 1000 10000 50000] [--pairs-per-person 50]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import networkx as nx
from common import fit_line

from streams.analytics.config import AnalyticsConfig
from streams.analytics.silos.louvain import hidden_silos, prepare
from streams.analytics.tenant import TenantState
from streams.engine.checkpoint import from_checkpoint, to_checkpoint
from streams.model import new_interaction

DAY_MS = 86_400_000
CONFIG = AnalyticsConfig()


def events(people: int, pairs: int, teams: int, seed: int) -> tuple[dict[str, str], list[Any]]:
    """Seeded directory and events over 27 days, in order: 1-9 targets each, 75 % from the
    actor's 25 usual contacts (80 % in their team), 25 % anyone."""
    rnd = random.Random(seed)
    team_of = {f"u{i}": f"team{i % teams:02d}" for i in range(people)}
    members: dict[str, list[str]] = defaultdict(list)
    for person, team in team_of.items():
        members[team].append(person)
    names, out, made = list(team_of), [], 0
    contacts = {
        p: [
            rnd.choice(members[team_of[p]]) if rnd.random() < 0.8 else rnd.choice(names)
            for _ in range(25)
        ]
        for p in names
    }
    while made < pairs:
        actor = rnd.choice(names)
        count = min(rnd.randint(1, 9), pairs - made)
        targets = [
            rnd.choice(contacts[actor]) if rnd.random() < 0.75 else rnd.choice(names)
            for _ in range(count)
        ]
        made += sum(target != actor for target in targets)
        out.append((actor, targets))
    step = 27 * DAY_MS // len(out)
    return team_of, [
        new_interaction(f"e{n}", "bench", n * step, a, t) for n, (a, t) in enumerate(out)
    ]


def naive_refresh(graph: nx.DiGraph, team_of: dict[str, str]) -> dict[str, Any]:
    """Reciprocity, modularity and E-I per team straight from the window graph."""
    reciprocity = nx.reciprocity(graph)
    undirected = nx.Graph()
    for a, b, w in graph.edges(data="weight_micro"):
        previous = undirected.get_edge_data(a, b, {"weight": 0})["weight"]
        undirected.add_edge(a, b, weight=previous + w)
    communities: dict[str, set[str]] = defaultdict(set)
    for person in undirected:
        communities[team_of.get(person, "unassigned")].add(person)
    modularity = nx.community.modularity(undirected, communities.values(), weight="weight")
    internal: dict[str, int] = defaultdict(int)
    external: dict[str, int] = defaultdict(int)
    for a, b, w in graph.edges(data="weight_micro"):
        ta, tb = team_of.get(a, "unassigned"), team_of.get(b, "unassigned")
        if ta == tb:
            internal[ta] += w
        else:
            external[ta] += w
            external[tb] += w
    ei = {t: (external[t] - internal[t]) / (external[t] + internal[t]) for t in internal}
    return {"reciprocity": reciprocity, "modularity": modularity, "ei": ei}


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - start) / repeat, result


def build(people: int, pairs: int, teams: int, seed: int) -> tuple[TenantState, float, int]:
    """A tenant state holding the seeded window; ingest seconds and event count."""
    team_of, stream = events(people, pairs, teams, seed)
    state = TenantState("bench", CONFIG, team_of)
    ingest, _ = timed(lambda: [state.apply(e) for e in stream])
    return state, ingest, len(stream)


def refresh_time(state: TenantState) -> float:
    """Mean seconds of a 28d snapshot refresh over 200 repetitions."""
    return timed(lambda: state.snapshot("28d"), repeat=200)[0]


def scaling(
    sizes: list[int], per_person: int, teams: int, seed: int, known: dict[int, float]
) -> None:
    """Refresh time for each org size at ``per_person`` pairs per person, and the fitted
    exponent k of refresh ~ people^k (``known``: sizes already measured)."""
    print(f"refresh vs org size ({per_person} pairs per person, {teams} teams, 28d window):")
    points = []
    for people in sizes:
        note = "(measured above)"
        refresh = known.get(people, 0.0)
        if people not in known:
            state, ingest, _ = build(people, people * per_person, teams, seed)
            refresh = refresh_time(state)
            note = f"(ingest {ingest:.1f} s)"
            del state
        print(
            f"  {people:>7,} people {people * per_person:>10,} pairs  refresh "
            f"{refresh * 1e3:8.3f} ms  {note}"
        )
        points.append((people, refresh))
    if len(points) >= 2:
        exponent, _ = fit_line(
            [math.log(people) for people, _ in points], [math.log(r) for _, r in points]
        )
        print(f"  fitted exponent: refresh ~ people^{exponent:.2f} (least squares on log-log)")


def headline(args: argparse.Namespace) -> float:
    """Ingest, refresh vs naive recompute, replay, restore and Louvain on the main window;
    returns the refresh seconds."""
    team_of, stream = events(args.people, args.pairs, args.teams, args.seed)
    state = TenantState("bench", CONFIG, team_of)
    ingest, _ = timed(lambda: [state.apply(e) for e in stream])
    window = state.windows.graphs["28d"]
    print(
        f"window 28d: {window.people} people, {window.pairs} pairs, "
        f"{window.edges} distinct edges, {len(stream)} events"
    )
    print(f"ingest (3 windows): {ingest:.2f} s = {window.pairs / ingest:,.0f} pairs/s")
    refresh = refresh_time(state)
    snap = state.snapshot("28d")
    graph = nx.DiGraph()  # what a naive agent keeps: the window as a networkx graph
    graph.add_weighted_edges_from(
        ((a, b, w) for a, b, _count, w in window.edge_items()), weight="weight_micro"
    )
    naive, ref = timed(lambda: naive_refresh(graph, team_of))
    assert abs(ref["modularity"] - snap["org"]["modularity"]) < 1e-6
    assert abs(ref["reciprocity"] - snap["org"]["reciprocity"]) < 1e-6
    print(f"refresh (snapshot from aggregates): {refresh * 1e3:.3f} ms")
    print(f"naive networkx recompute:           {naive * 1e3:.0f} ms")
    print(f"ratio naive / incremental: {naive / refresh:,.0f}x")
    delta = json.loads(json.dumps(state.take_delta()))
    replay, _ = timed(lambda: TenantState("bench", CONFIG, team_of).apply_delta(delta))
    print(f"replay of one delta with all {len(stream)} events: {replay:.2f} s")
    checkpoint = json.loads(json.dumps(to_checkpoint(state)))
    restore, _ = timed(lambda: from_checkpoint(checkpoint))
    print(f"restore from checkpoint: {restore:.2f} s")
    if args.louvain:
        source = prepare(window, state.directory)
        seconds, count = timed(lambda: hidden_silos(source, CONFIG.min_group_size))
        print(f"louvain hidden silos: {count} in {seconds:.2f} s")
    return refresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=500_000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--louvain", action="store_true", help="also time hidden_silos")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[1_000, 10_000, 50_000],
        help="org sizes for the refresh scaling (none: skip it)",
    )
    parser.add_argument("--pairs-per-person", type=int, default=50)
    args = parser.parse_args()
    refresh = headline(args)
    same_shape = args.pairs == args.people * args.pairs_per_person
    known = {args.people: refresh} if same_shape else {}
    scaling(args.sizes, args.pairs_per_person, args.teams, args.seed, known)


if __name__ == "__main__":
    main()
