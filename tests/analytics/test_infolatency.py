"""Information latency against a brute force over every time-respecting path."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.knowledge.infolatency import (
    InformationLatency,
    Pair,
    PairStaleness,
    team_out_of_date,
    top_pairs,
)

from .infolatency_ref import PlainLatency
from .test_artifacts import PEOPLE, TEAMS, Expire, Move, Op, accepted, feed

STEPS = [0, 0, 0, 1, 1_000, 60_000, 3_600_000]
Path = tuple[int, str, int]
"""(origin time, origin team, arrival time) of one time-respecting path."""


@st.composite
def op_lists(draw: st.DrawFn, order: str = "sorted") -> list[Op]:
    """≤ 12 people in ≤ 4 teams, ≤ 60 events (ties, broadcasts) and directory moves; events
    in time order (``sorted``), also with expiries (``expiring``), with late ones (``late``)
    or with both (``mixed``)."""
    ops: list[Op] = [Move(person, draw(st.sampled_from(TEAMS))) for person in PEOPLE]
    clock = 10_000_000
    for _ in range(draw(st.integers(1, 60))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            ops.append(Move(draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(TEAMS))))
            continue
        if choice == 1 and order in ("expiring", "mixed"):
            ops.append(Expire(clock - draw(st.sampled_from([0, 1, 60_000, 3_600_000, 10**9]))))
            continue
        clock += draw(st.sampled_from(STEPS))
        jitter = [0, 0, -1, -60_000, -3_600_000] if order in ("late", "mixed") else [0]
        late = draw(st.sampled_from(jitter))
        actor = draw(st.sampled_from(PEOPLE))
        targets = [p for p in draw(st.lists(st.sampled_from(PEOPLE), max_size=3)) if p != actor]
        broadcast = draw(st.integers(0, 9)) == 0
        ops.append(accepted(clock + late, actor, targets, broadcast=broadcast))
    return ops


def all_paths(ops: Sequence[Op]) -> dict[str, set[Path]]:
    """Every time-respecting path ending at each person, without any pruning.

    An event of a person in a team is a path of length 0 (t, team, t) to them; a hop at t
    by actor a extends every path ending at a that arrived by t. Broadcasts are ignored.
    """
    teams: dict[str, str] = {}
    paths: dict[str, set[Path]] = {}
    for op in ops:
        if isinstance(op, Move):
            teams.pop(op.person, None)
            if op.team is not None:
                teams[op.person] = op.team
        elif not isinstance(op, Expire) and not op.broadcast:
            t, actor = op.occurred_at, op.actor
            if actor in teams:
                paths.setdefault(actor, set()).add((t, teams[actor], t))
            reaching = {
                (o, team, t) for o, team, arrival in paths.get(actor, set()) if arrival <= t
            }
            for target in op.targets:
                paths.setdefault(target, set()).update(reaching)
    return paths


def floor_of(ops: Sequence[Op]) -> int:
    """The largest expiry threshold."""
    return max((op.oldest_kept_ms for op in ops if isinstance(op, Expire)), default=-1)


def latest_views(ops: Sequence[Op]) -> dict[str, dict[str, int]]:
    """view[v][A] = latest origin of a path from team A to v, if not older than the floor."""
    floor = floor_of(ops)
    views: dict[str, dict[str, int]] = {}
    for person, paths in all_paths(ops).items():
        for origin, team, _ in paths:
            if origin >= floor and origin > views.get(person, {}).get(team, -1):
                views.setdefault(person, {})[team] = origin
    return views


def final_teams(ops: Sequence[Op]) -> dict[str, str]:
    """Person → team after every move."""
    teams: dict[str, str] = {}
    for op in ops:
        if isinstance(op, Move):
            teams.pop(op.person, None)
            if op.team is not None:
                teams[op.person] = op.team
    return teams


def expected_staleness(
    views: dict[str, dict[str, int]], teams: dict[str, str], as_of: int, min_group_size: int
) -> dict[Pair, PairStaleness]:
    """Staleness from the definition, with ``statistics.median_low`` as nearest-rank median."""
    members = Counter(teams.values())
    reported = sorted(team for team, n in members.items() if n >= min_group_size)
    result: dict[Pair, PairStaleness] = {}
    for b in reported:
        for a in reported:
            if a == b:
                continue
            ages = [as_of - views[v][a] for v in views if teams.get(v) == b and a in views[v]]
            median = round(statistics.median_low(ages) / 1000, 9) if ages else None
            result[b, a] = {"median_seconds": median, "reached": round(len(ages) / members[b], 9)}
    return result


def observed(ops: Sequence[Op]) -> tuple[InformationLatency, Directory]:
    """A fresh observer fed ``ops``, and the final directory."""
    latency = InformationLatency()
    directory = feed(latency, ops)
    return latency, directory


@given(op_lists())
def test_views_are_the_latest_origins_of_time_respecting_paths(ops: list[Op]) -> None:
    latency, _ = observed(ops)
    views = latest_views(ops)
    for person in [*PEOPLE, "nobody"]:
        assert latency.view(person) == views.get(person, {})


@given(op_lists("expiring"))
def test_expiry_drops_exactly_the_views_older_than_the_threshold(ops: list[Op]) -> None:
    latency, _ = observed(ops)
    views = latest_views(ops)
    for person in PEOPLE:
        assert latency.view(person) == views.get(person, {})
    assert len(latency) == sum(len(view) for view in views.values())


@given(op_lists("late"))
def test_with_late_events_every_view_is_the_origin_of_a_real_path(ops: list[Op]) -> None:
    latency, _ = observed(ops)
    paths = all_paths(ops)
    for person in PEOPLE:
        for team, origin in latency.view(person).items():
            assert (origin, team) in {(o, x) for o, x, _ in paths.get(person, set())}


@given(op_lists("expiring"), st.integers(1, 4), st.integers(0, 10**8))
def test_staleness_matches_the_definition(ops: list[Op], min_group_size: int, ahead: int) -> None:
    latency, directory = observed(ops)
    times = [op.occurred_at for op in ops if not isinstance(op, (Move, Expire))]
    as_of = max(times, default=0) + ahead
    pairs = latency.staleness(as_of, directory, min_group_size)
    views = latest_views(ops)
    assert pairs == expected_staleness(views, final_teams(ops), as_of, min_group_size)
    ranked = sorted(
        (item for item in pairs.items() if item[1]["median_seconds"] is not None),
        key=lambda item: (-(item[1]["median_seconds"] or 0), item[1]["reached"], item[0]),
    )
    assert top_pairs(pairs, 3) == ranked[:3]
    for team, value in team_out_of_date(pairs).items():
        medians = [s["median_seconds"] for (b, _), s in pairs.items() if b == team]
        known = [m for m in medians if m is not None]
        assert value == (statistics.median_low(known) if known else None)


@given(op_lists("late"))
def test_same_events_give_the_same_outputs(ops: list[Op]) -> None:
    runs = [observed(ops) for _ in range(2)]
    outputs = [latency.staleness(10**8, directory, 1) for latency, directory in runs]
    assert outputs[0] == outputs[1]
    assert list(outputs[0]) == sorted(outputs[0])


@settings(max_examples=300, deadline=None)
@given(op_lists("mixed"), st.integers(1, 4))
def test_every_view_equals_the_plain_label_algorithm_after_every_op(
    ops: list[Op], min_group_size: int
) -> None:
    latency, plain = InformationLatency(), PlainLatency()
    directory = Directory()
    for op in ops:
        for observer in (latency, plain):
            feed(observer, [op], directory)  # a move applied twice is one move
        assert [latency.view(p) for p in PEOPLE] == [plain.view(p) for p in PEOPLE]
        assert len(latency) == plain.size()
    as_of = max((op.occurred_at for op in ops if isinstance(op, AcceptedEvent)), default=0)
    views = {person: plain.view(person) for person in PEOPLE}
    expected = expected_staleness(views, final_teams(ops), as_of, min_group_size)
    assert latency.staleness(as_of, directory, min_group_size) == expected


def chain(*hops: tuple[int, str, str]) -> InformationLatency:
    """Feed hops (time, actor, target) in the given order; teams are the names' first letter."""
    directory = Directory({p: p[0].upper() for p in ("a1", "b1", "c1", "d1")})
    latency = InformationLatency()
    for t, actor, target in hops:
        latency.on_event(accepted(t, actor, [target]), directory)
    return latency


def test_chain_carries_the_start_time_of_the_first_hop() -> None:
    latency = chain((1_000, "a1", "b1"), (5_000, "b1", "c1"))
    assert latency.view("c1") == {"A": 1_000, "B": 5_000}
    assert latency.view("b1") == {"A": 1_000, "B": 5_000}
    directory = Directory({"a1": "A", "b1": "B", "c1": "C"})
    assert latency.staleness(11_000, directory, 1)["C", "A"] == {
        "median_seconds": 10.0,
        "reached": 1.0,
    }
    assert latency.staleness(11_000, directory, 1)["A", "C"] == {
        "median_seconds": None,
        "reached": 0.0,
    }


def test_reversed_time_chain_does_not_propagate_in_either_processing_order() -> None:
    in_order = chain((1_000, "b1", "c1"), (5_000, "a1", "b1"))
    late = chain((5_000, "a1", "b1"), (1_000, "b1", "c1"))
    for latency in (in_order, late):
        assert latency.view("c1") == {"B": 1_000}


def test_later_information_replaces_older_and_late_hops_relay_only_what_had_arrived() -> None:
    latency = chain((1_000, "a1", "b1"), (2_000, "b1", "c1"), (9_000, "a1", "b1"))
    assert latency.view("c1")["A"] == 1_000
    assert latency.view("b1")["A"] == 9_000
    late = chain((1_000, "a1", "b1"), (9_000, "a1", "b1"), (2_000, "b1", "c1"))
    assert late.view("c1") == {"B": 2_000}  # the 1 000 label was replaced by 9 000 (missed)


def test_a_person_who_moved_keeps_relaying_what_they_knew_in_their_old_team() -> None:
    directory = Directory({"a1": "A", "c1": "C"})
    latency = InformationLatency()
    latency.on_event(accepted(1_000, "a1", []), directory)
    directory.set("a1", "B")
    latency.on_event(accepted(3_000, "a1", ["c1"]), directory)
    assert latency.view("c1") == {"A": 1_000, "B": 3_000}


def test_broadcasts_do_not_propagate_and_unassigned_relay_but_are_no_origin() -> None:
    directory = Directory({"a1": "A", "c1": "C"})
    latency = InformationLatency()
    latency.on_event(accepted(1_000, "a1", ["c1"], broadcast=True), directory)
    assert latency.view("c1") == {} and latency.view("a1") == {}
    latency.on_event(accepted(2_000, "a1", ["nobody"]), directory)
    latency.on_event(accepted(3_000, "nobody", ["c1"]), directory)
    assert latency.view("c1") == {"A": 2_000}
    assert latency.view("nobody") == {"A": 2_000}


def test_small_teams_are_not_reported_and_silent_members_count_as_not_reached() -> None:
    entries = {f"a{i}": "A" for i in range(5)} | {f"b{i}": "B" for i in range(4)}
    directory = Directory({**entries, "s1": "S"})
    latency = InformationLatency()
    latency.on_event(accepted(1_000, "a0", ["b0", "s1"]), directory)
    latency.on_event(accepted(2_000, "s1", ["a1"]), directory)
    pairs = latency.staleness(4_000, directory, 4)
    assert sorted(pairs) == [("A", "B"), ("B", "A")]
    assert pairs["B", "A"] == {"median_seconds": 3.0, "reached": 0.25}
    assert pairs["A", "B"] == {"median_seconds": None, "reached": 0.0}
    assert team_out_of_date(pairs) == {"A": None, "B": 3.0}
    assert top_pairs(pairs, 5) == [(("B", "A"), pairs["B", "A"])]


def test_top_pairs_rank_by_median_then_fewer_reached_then_name() -> None:
    pairs: dict[Pair, PairStaleness] = {
        ("A", "B"): {"median_seconds": 5.0, "reached": 1.0},
        ("A", "C"): {"median_seconds": 9.0, "reached": 0.5},
        ("B", "A"): {"median_seconds": 9.0, "reached": 0.25},
        ("B", "C"): {"median_seconds": None, "reached": 0.0},
        ("C", "A"): {"median_seconds": 5.0, "reached": 1.0},
    }
    assert [pair for pair, _ in top_pairs(pairs, 4)] == [
        ("B", "A"),
        ("A", "C"),
        ("A", "B"),
        ("C", "A"),
    ]
    assert team_out_of_date(pairs) == {"A": 5.0, "B": 9.0, "C": 5.0}


def test_memory_is_bounded_in_event_time_and_old_events_are_ignored() -> None:
    people = [f"p{i}" for i in range(40)]
    directory = Directory({person: f"T{i % 8}" for i, person in enumerate(people)})
    latency = InformationLatency()
    for n in range(4_000):
        t = n * 60_000
        targets = [people[(n * 7 + 1) % 40], people[(n * 13 + 5) % 40]]
        latency.on_event(accepted(t, people[n % 40], targets), directory)
        latency.expire(t - 3_600_000)
        assert len(latency) <= 40 * 8
    latency.expire(10**12)
    assert len(latency) == 0
    latency.on_event(accepted(10**12 - 1, "p0", ["p1"]), directory)
    assert len(latency) == 0


def test_successive_expiries_drop_each_view_once_it_is_older() -> None:
    latency = chain((1_000, "a1", "d1"), (3_000, "b1", "d1"), (5_000, "c1", "d1"))
    latency.expire(2_000)
    assert latency.view("d1") == {"B": 3_000, "C": 5_000}
    latency.expire(4_000)
    assert latency.view("d1") == {"C": 5_000}
    latency.expire(3_000)  # a threshold never moves back
    assert latency.view("d1") == {"C": 5_000}


def test_an_equally_recent_view_arriving_earlier_can_be_relayed_by_an_earlier_hop() -> None:
    latency = chain(
        (1_000, "a1", "d1"), (5_000, "d1", "b1"), (1_000, "a1", "b1"), (2_000, "b1", "c1")
    )
    assert latency.view("c1") == {"A": 1_000, "B": 2_000}


def test_latency_is_clamped_at_zero_before_a_view() -> None:
    latency = chain((1_000, "a1", "b1"))
    directory = Directory({"a1": "A", "b1": "B"})
    assert latency.staleness(500, directory, 1)["B", "A"] == {"median_seconds": 0.0, "reached": 1.0}


def test_a_late_own_event_makes_an_equally_recent_view_arrive_at_its_time() -> None:
    directory = Directory({"a1": "A", "x1": "A", "z1": "Z", "c1": "C"})
    latency = InformationLatency()
    for t, actor, targets in ((5_000, "x1", ["z1"]), (9_000, "z1", ["a1"]), (5_000, "a1", [])):
        latency.on_event(accepted(t, actor, targets), directory)
    directory.set("a1", "B")
    latency.on_event(accepted(6_000, "a1", ["c1"]), directory)  # relays A as arrived at 5 000
    assert latency.view("c1") == {"A": 5_000, "B": 6_000}
