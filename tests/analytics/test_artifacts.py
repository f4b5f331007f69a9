"""Artifact diffusion against a direct scan of the event list."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median_low

from hypothesis import given
from hypothesis import strategies as st

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent, EventObserver
from streams.analytics.knowledge.artifacts import ArtifactDiffusion, ArtifactSummary

PEOPLE = [f"p{i}" for i in range(12)]
TEAMS = ["A", "B", "C", "D", None]
ARTIFACTS = [f"x{i}" for i in range(6)]
STEPS = [0, 0, 1, 500, 60_000, 3_600_000]


@dataclass(frozen=True)
class Move:
    """A directory change (``team=None`` removes the person)."""

    person: str
    team: str | None


@dataclass(frozen=True)
class Expire:
    """An ``expire(oldest_kept_ms)`` call."""

    oldest_kept_ms: int


Op = AcceptedEvent | Move | Expire


def accepted(
    t: int,
    actor: str,
    targets: Sequence[str] = (),
    artifacts: Sequence[str] = (),
    broadcast: bool = False,
) -> AcceptedEvent:
    """A minimal accepted event."""
    return AcceptedEvent(
        f"e{t}-{actor}", t, "slack", "share", actor, tuple(targets), None, None,
        tuple(artifacts), 1_000_000, broadcast,
    )  # fmt: skip


def feed(
    observer: EventObserver, ops: Sequence[Op], directory: Directory | None = None
) -> Directory:
    """Apply moves to the directory, events and expiries to the observer, in order."""
    directory = directory if directory is not None else Directory()
    for op in ops:
        if isinstance(op, Move):
            directory.set(op.person, op.team)
        elif isinstance(op, Expire):
            observer.expire(op.oldest_kept_ms)
        else:
            observer.on_event(op, directory)
    return directory


@st.composite
def op_lists(draw: st.DrawFn, expiring: bool = False, late: bool = True) -> list[Op]:
    """Directory moves and events (ties, broadcasts); late jitter, expiries at thresholds up
    to the newest event time, or both (late events may then be older than the threshold)."""
    ops: list[Op] = [Move(person, draw(st.sampled_from(TEAMS))) for person in PEOPLE]
    clock = 10_000_000
    for _ in range(draw(st.integers(1, 60))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            ops.append(Move(draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(TEAMS))))
            continue
        if choice == 1 and expiring:
            ops.append(Expire(clock - draw(st.sampled_from([0, 1, 60_000, 3_600_000, 10**9]))))
            continue
        clock += draw(st.sampled_from(STEPS))
        jitter = draw(st.sampled_from([0, 0, 0, -1, -100_000])) if late else 0
        actor = draw(st.sampled_from(PEOPLE))
        targets = [p for p in draw(st.lists(st.sampled_from(PEOPLE), max_size=3)) if p != actor]
        shared = draw(st.lists(st.sampled_from(ARTIFACTS), max_size=3))
        broadcast = draw(st.integers(0, 9)) == 0
        ops.append(accepted(clock + jitter, actor, targets, shared, broadcast))
    return ops


@dataclass
class Track:
    """What the scan knows of one artifact."""

    origin: str
    start: int
    last: int
    teams: set[str] = field(default_factory=set)
    cross: int | None = None


def scan(ops: Sequence[Op]) -> tuple[dict[str, Track], list[float]]:
    """Direct scan: every kept artifact's origin, teams and crossing, and all crossings in
    order; an expiry drops the artifacts idle since before it, and events older than the
    largest threshold are ignored."""
    teams: dict[str, str] = {}
    tracks: dict[str, Track] = {}
    crossings: list[float] = []
    floor = -1
    for op in ops:
        if isinstance(op, Move):
            teams.pop(op.person, None)
            if op.team is not None:
                teams[op.person] = op.team
            continue
        if isinstance(op, Expire):
            tracks = {x: track for x, track in tracks.items() if track.last >= op.oldest_kept_ms}
            floor = max(floor, op.oldest_kept_ms)
            continue
        if op.occurred_at < floor:
            continue
        receivers = () if op.broadcast else op.targets
        reached = {teams[p] for p in (op.actor, *receivers) if p in teams}
        for x in op.artifacts:
            origin = teams.get(op.actor, "unassigned")
            track = tracks.setdefault(x, Track(origin, op.occurred_at, op.occurred_at))
            track.last = max(track.last, op.occurred_at)
            track.teams |= reached
            if track.cross is None and any(team != track.origin for team in reached):
                track.cross = max(0, op.occurred_at - track.start)
                crossings.append(track.cross / 1000)
    return tracks, crossings


def expected_summary(
    tracks: dict[str, Track], members: Counter[str], min_group_size: int
) -> ArtifactSummary:
    """The summary the definitions give for ``tracks`` and final member counts."""
    crosses = [t.cross for t in tracks.values() if t.cross is not None]
    origins = sorted({t.origin for t in tracks.values()})
    return {
        "artifacts": len(tracks),
        "crossed": len(crosses),
        "median_cross_team_seconds": median_low(crosses) / 1000 if crosses else None,
        "by_origin": {
            team: {
                "artifacts": sum(t.origin == team for t in tracks.values()),
                "crossed": sum(t.origin == team and t.cross is not None for t in tracks.values()),
                "median_reach": median_low(
                    [len(t.teams) for t in tracks.values() if t.origin == team]
                ),
            }
            for team in origins
            if team != "unassigned" and members[team] >= min_group_size
        },
    }


def member_counts(ops: Sequence[Op]) -> Counter[str]:
    """Members per team after every move."""
    final: dict[str, str | None] = {}
    for op in ops:
        if isinstance(op, Move):
            final[op.person] = op.team
    return Counter(team for team in final.values() if team is not None)


@given(op_lists(), st.integers(1, 4))
def test_summary_and_crossings_match_a_direct_scan(ops: list[Op], min_group_size: int) -> None:
    diffusion = ArtifactDiffusion()
    directory = feed(diffusion, ops)
    tracks, crossings = scan(ops)
    assert diffusion.drain_crossings() == crossings
    assert diffusion.drain_crossings() == []
    expected = expected_summary(tracks, member_counts(ops), min_group_size)
    assert diffusion.summary(min_group_size, directory) == expected
    assert len(diffusion) == len(tracks)


@given(st.one_of(op_lists(expiring=True, late=False), op_lists(expiring=True)))
def test_expiry_forgets_idle_artifacts_and_a_later_share_restarts_them(ops: list[Op]) -> None:
    diffusion = ArtifactDiffusion()
    directory = feed(diffusion, ops)
    tracks, crossings = scan(ops)
    assert diffusion.drain_crossings() == crossings
    assert diffusion.summary(1, directory) == expected_summary(tracks, member_counts(ops), 1)
    assert len(diffusion) == len(tracks)


def test_hand_example_origin_reach_and_cross_time() -> None:
    directory = Directory({"a1": "A", "a2": "A", "b1": "B", "c1": "C"})
    diffusion = ArtifactDiffusion()
    diffusion.on_event(accepted(1_000, "a1", ["a2"], ["doc"]), directory)
    assert diffusion.drain_crossings() == []
    diffusion.on_event(accepted(91_000, "a2", ["b1"], ["doc"]), directory)
    diffusion.on_event(accepted(95_000, "b1", ["c1"], ["doc", "doc"]), directory)
    assert diffusion.drain_crossings() == [90.0]
    assert diffusion.summary(1, directory) == {
        "artifacts": 1,
        "crossed": 1,
        "median_cross_team_seconds": 90.0,
        "by_origin": {"A": {"artifacts": 1, "crossed": 1, "median_reach": 3}},
    }


def test_first_share_reaching_another_team_crosses_at_zero_and_late_events_clamp() -> None:
    directory = Directory({"a": "A", "b": "B"})
    diffusion = ArtifactDiffusion()
    diffusion.on_event(accepted(5_000, "a", ["b"], ["x"]), directory)
    diffusion.on_event(accepted(9_000, "a", [], ["y"]), directory)
    diffusion.on_event(accepted(4_000, "b", [], ["y"]), directory)
    assert diffusion.drain_crossings() == [0.0, 0.0]


def test_broadcast_recipients_and_unassigned_people_do_not_count_as_reach() -> None:
    directory = Directory({"a": "A", "b": "B"})
    diffusion = ArtifactDiffusion()
    diffusion.on_event(accepted(1_000, "a", ["b"], ["x"], broadcast=True), directory)
    diffusion.on_event(accepted(2_000, "a", ["nobody"], ["x"]), directory)
    diffusion.on_event(accepted(3_000, "nobody", ["a"], ["y"]), directory)
    assert diffusion.drain_crossings() == [0.0]  # y, from unassigned to A
    summary = diffusion.summary(1, directory)
    assert summary["by_origin"] == {"A": {"artifacts": 1, "crossed": 0, "median_reach": 1}}
    assert summary["artifacts"] == 2 and summary["crossed"] == 1


def test_small_origin_teams_are_omitted_by_name_but_counted_in_org_totals() -> None:
    big = {f"b{i}": "Big" for i in range(5)}
    directory = Directory({**big, "s1": "Small", "s2": "Small"})
    diffusion = ArtifactDiffusion()
    diffusion.on_event(accepted(1_000, "s1", ["b0"], ["x"]), directory)
    diffusion.on_event(accepted(2_000, "b1", ["b2"], ["y"]), directory)
    summary = diffusion.summary(5, directory)
    assert list(summary["by_origin"]) == ["Big"]
    assert (summary["artifacts"], summary["crossed"]) == (2, 1)
    assert list(diffusion.summary(2, directory)["by_origin"]) == ["Big", "Small"]


def test_memory_is_bounded_in_event_time() -> None:
    directory = Directory({f"p{i}": f"T{i % 4}" for i in range(20)})
    diffusion = ArtifactDiffusion()
    hour = 3_600_000
    for n in range(5_000):
        t = n * 60_000
        diffusion.on_event(
            accepted(t, f"p{n % 20}", [f"p{(n + 3) % 20}"], [f"x{n}", "hot"]), directory
        )
        diffusion.expire(t - 2 * hour)
        assert len(diffusion) <= 2 * 60 + 2
        assert len(diffusion._by_last) <= 2 * (2 * 60 + 2)
    diffusion.expire(10**12)
    assert len(diffusion) == 0 and diffusion._by_last == []
    diffusion.on_event(accepted(10**12 - 1, "p0", ["p1"], ["z"]), directory)
    assert len(diffusion) == 0


@given(op_lists())
def test_same_events_give_the_same_outputs(ops: list[Op]) -> None:
    outputs = []
    for _ in range(2):
        diffusion = ArtifactDiffusion()
        directory = feed(diffusion, ops)
        summary = diffusion.summary(2, directory)
        outputs.append((json.dumps(summary), diffusion.drain_crossings()))
    assert outputs[0] == outputs[1]
