"""Refresh cost of the incremental window aggregates vs a naive networkx recompute.

Builds a seeded 10,000-person, 500,000-pair window (20 teams) through TenantState, then
times in the same run: a snapshot refresh (O(teams): what the worker's refresh timer makes
for the exporter, team entries and the heaviest TOP_K flow entries) against reciprocity +
modularity + E-I recomputed from the window graph with networkx, plus ingest, replay and
checkpoint. Then times the refresh for orgs of 1k, 10k and 50k people at 50 pairs per
person (same teams) and fits the exponent k of refresh ~ people^k by least squares on
log-log. Last, the issue 13 figure: 100,000 people, 1,000 teams, 5,000,000 pairs in the 28d
window, ingested through TenantState.apply (no networkx anywhere): ingest rate, refresh (the
first one, one with nothing changed, the figure: the mean of five after each 1,000 new
events as the worker's timer sees them, after a first such round not counted, and one after
the watermark entered a new bucket), the snapshot API's answer with every flow entry, the
hidden-silo Louvain pass (copy on the loop, then igraph), what a concurrent ingesting thread
keeps of its rate during the pass, and RSS.
The process runs with the worker's garbage-collector thresholds.

    .venv/bin/python benchmarks/bench_graph.py [--people 10000] [--pairs 500000] [--louvain]
        [--sizes 1000 10000] [--pairs-per-person 50]
        [--large-people 100000] [--large-teams 1000] [--large-pairs 5000000]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import multiprocessing
import random
import resource
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import networkx as nx
from common import figure, fit_line

from streams.analytics.config import AnalyticsConfig
from streams.analytics.knowledge.section import KnowledgeObservers
from streams.analytics.silos.louvain import hidden_silos, prepare
from streams.analytics.tenant import TenantState
from streams.commands.worker import GC_THRESHOLDS
from streams.engine.sealed import checkpoint_key, seal, unseal
from streams.model import Interaction, new_interaction
from streams.settings import Settings

DAY_MS = 86_400_000
CONFIG = AnalyticsConfig()
LIVE_EVENTS = 1_000
TOP_K: int = Settings.model_fields["top_k"].default
"""Flow entries in the refresh timer's snapshots (the exporter's default top K)."""
"""Events applied between two timed refreshes of the large figure (about 5,000 pairs)."""


def directory(people: int, teams: int) -> dict[str, str]:
    """``u<i>`` → ``team<i mod teams>``."""
    width = len(str(teams - 1))
    return {f"u{i}": f"team{i % teams:0{width}d}" for i in range(people)}


def interactions(team_of: dict[str, str], pairs: int, seed: int) -> Iterator[Interaction]:
    """Seeded events over 27 days, in order, until ``pairs`` pairs: 1-9 targets each, 75 %
    from the actor's 25 usual contacts (80 % in their team), 25 % anyone."""
    rnd = random.Random(seed)
    members: dict[str, list[str]] = defaultdict(list)
    for person, team in team_of.items():
        members[team].append(person)
    names, made, n = list(team_of), 0, 0
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
        yield new_interaction(f"e{n}", "bench", made * 27 * DAY_MS // pairs, actor, targets)
        made += sum(target != actor for target in targets)
        n += 1


def events(people: int, pairs: int, teams: int, seed: int) -> tuple[dict[str, str], list[Any]]:
    """The directory and all :func:`interactions` of a seeded org."""
    team_of = directory(people, teams)
    return team_of, list(interactions(team_of, pairs, seed))


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


def timer_snapshot(state: TenantState) -> dict[str, Any]:
    """The 28d snapshot the worker's refresh timer makes for the exporter (the heaviest
    ``TOP_K`` flow entries)."""
    return state.snapshot("28d", top_flow=TOP_K)


def refresh_time(state: TenantState, repeat: int = 200) -> float:
    """Mean seconds of a 28d refresh over ``repeat`` repetitions, after a first refresh
    (the worker's timer refreshes every window, so the snapshot memo is warm)."""
    timer_snapshot(state)
    return timed(lambda: timer_snapshot(state), repeat=repeat)[0]


def later_events(team_of: dict[str, str], start_ms: int, seed: int) -> Iterator[Interaction]:
    """Seeded events of the same org as :func:`interactions`, 1 ms apart from ``start_ms``."""
    for n, event in enumerate(interactions(team_of, 10**12, seed)):
        yield {**event, "event_id": f"later-{seed}-{n}", "occurred_at": start_ms + n}


def refresh_after(
    state: TenantState, stream: Iterator[Interaction], events: int, repeat: int
) -> float:
    """Mean seconds of a 28d refresh right after ``events`` more events (applied untimed),
    over ``repeat`` rounds: the live worker's timer refresh."""
    seconds = 0.0
    for _ in range(repeat):
        ingest_chunks(state, itertools.islice(stream, events), events)
        seconds += timed(lambda: timer_snapshot(state))[0]
    return seconds / repeat


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
    key = checkpoint_key(secrets.token_bytes(32))
    seal_seconds, sealed = timed(lambda: seal(state, KnowledgeObservers(), key))
    restore, _ = timed(lambda: unseal(sealed, key))
    print(f"checkpoint: sealed in {seal_seconds:.2f} s ({len(sealed) / 2**20:.1f} MiB)")
    print(f"restore from checkpoint: {restore:.2f} s")
    if args.louvain:
        source = prepare(window, state.directory)
        seconds, count = timed(lambda: hidden_silos(source, CONFIG.min_group_size))
        print(f"louvain hidden silos: {count} in {seconds:.2f} s")
    return refresh


def ingest_chunks(state: TenantState, stream: Iterator[Interaction], size: int) -> float:
    """Apply ``stream`` in chunks of ``size`` (generated untimed), dropping each chunk's delta
    as the worker does once it is persisted; returns the seconds spent applying."""
    seconds = 0.0
    while chunk := list(itertools.islice(stream, size)):
        started = time.perf_counter()
        for event in chunk:
            state.apply(event)
        state.take_delta()
        seconds += time.perf_counter() - started
    return seconds


def rss_mib() -> tuple[float, float]:
    """Current and peak resident set size of this process, MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    current = pages * resource.getpagesize() / 2**20
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingestion_kept(seconds: float, pass_fn: Callable[[], Any]) -> tuple[float, Any]:
    """Share of a thread's ingest rate (a small tenant applying events) kept while
    ``pass_fn`` runs in an executor thread, which hands the pass to a process as the
    worker's Louvain timer does."""
    team_of = directory(2000, 60)
    stream = interactions(team_of, 10**9, seed=1)
    state = TenantState("bench", CONFIG, team_of)

    def rate(until: Callable[[], bool]) -> float:
        applied, started = 0, time.perf_counter()
        while not until():
            for event in itertools.islice(stream, 100):
                state.apply(event)
            state.take_delta()
            applied += 100
        return applied / (time.perf_counter() - started)

    deadline = time.perf_counter() + seconds
    alone = rate(lambda: time.perf_counter() > deadline)
    done = threading.Event()

    def run_pass() -> Any:
        try:
            return pass_fn()
        finally:
            done.set()

    with ThreadPoolExecutor(1) as executor:
        future = executor.submit(run_pass)
        during = rate(done.is_set)
        result = future.result()
    return during / alone, result


def large(people: int, teams: int, pairs: int, seed: int) -> None:
    """The 100,000-person figure: ingest, refresh, Louvain pass and RSS."""
    team_of = directory(people, teams)
    state = TenantState("bench", CONFIG, team_of)
    ingest = ingest_chunks(state, interactions(team_of, pairs, seed), 20_000)
    window = state.windows.graphs["28d"]
    print(
        f"{people:,} people, {teams:,} teams, 28d window: {window.people:,} people, "
        f"{window.pairs:,} pairs, {window.edges:,} distinct edges"
    )
    print(
        f"  ingest through TenantState.apply (3 windows): {ingest:.1f} s = "
        f"{window.pairs / ingest:,.0f} pairs/s"
    )
    cold, _ = timed(lambda: timer_snapshot(state))
    print(f"  first refresh (28d snapshot, builds the memo): {cold * 1e3:.1f} ms")
    print(f"  refresh, nothing changed: {refresh_time(state, repeat=3) * 1e3:.1f} ms")
    watermark = state.windows.watermark
    assert watermark is not None
    bucket = CONFIG.bucket_ms
    stream = later_events(team_of, watermark + 1, seed + 1)
    refresh_after(state, stream, LIVE_EVENTS, repeat=1)  # not counted: the generator's set-up
    refresh = refresh_after(state, stream, LIVE_EVENTS, repeat=5)
    print(f"  refresh after {LIVE_EVENTS:,} new events each: {refresh * 1e3:.1f} ms")
    first, full = timed(lambda: state.snapshot("28d"))
    print(
        f"  first snapshot API answer (all {len(full['flow']):,} flow entries, builds the flow "
        f"rows; not made by the refresh timer): {first * 1e3:.1f} ms"
    )
    ingest_chunks(state, itertools.islice(stream, LIVE_EVENTS), LIVE_EVENTS)
    api, _ = timed(lambda: state.snapshot("28d"))
    print(f"  snapshot API answer after {LIVE_EVENTS:,} more events: {api * 1e3:.1f} ms")
    slide_stream = later_events(team_of, (watermark // bucket + 1) * bucket, seed + 2)
    slide = refresh_after(state, slide_stream, LIVE_EVENTS, repeat=1)
    print(f"  refresh after the watermark entered a new bucket: {slide * 1e3:.1f} ms")
    copy, source = timed(lambda: prepare(window, state.directory))
    print(f"  Louvain copy of the window (on the event loop): {copy:.2f} s")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(int).result()  # the pool's process is started, as in a running worker

        def louvain_pass() -> tuple[float, int]:
            return timed(lambda: pool.submit(hidden_silos, source, CONFIG.min_group_size).result())

        kept, (seconds, count) = ingestion_kept(5.0, louvain_pass)
    print(
        f"  Louvain pass (igraph multilevel, seeded, in a process as in the worker): "
        f"{seconds:.1f} s, {count} hidden silos"
    )
    print(f"  ingestion on the main process keeps {kept:.0%} of its rate during the pass")
    current, peak = rss_mib()
    print(f"  RSS: {current:,.0f} MiB now, {peak:,.0f} MiB peak (benchmark process)")
    figure("refresh_100k_ms", refresh * 1e3, "ms")
    figure("louvain_100k_seconds", seconds, "s")
    figure("rss_100k_mib", peak, "MiB")


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
        default=[1_000, 10_000],
        help="org sizes for the refresh scaling (none: skip it)",
    )
    parser.add_argument("--pairs-per-person", type=int, default=50)
    parser.add_argument("--large-people", type=int, default=100_000, help="0: skip the figure")
    parser.add_argument("--large-teams", type=int, default=1000)
    parser.add_argument("--large-pairs", type=int, default=5_000_000)
    args = parser.parse_args()
    gc.set_threshold(*GC_THRESHOLDS)  # the worker's collector settings
    refresh = headline(args)
    same_shape = args.pairs == args.people * args.pairs_per_person
    known = {args.people: refresh} if same_shape else {}
    scaling(args.sizes, args.pairs_per_person, args.teams, args.seed, known)
    if args.large_people:
        large(args.large_people, args.large_teams, args.large_pairs, args.seed)


if __name__ == "__main__":
    main()
