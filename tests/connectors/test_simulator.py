"""The org simulator: determinism, ordering, planted structure and its ground truth."""

from __future__ import annotations

import itertools
import statistics
import time
from collections import defaultdict

import pytest
from support.events import decoded_events

from connectors.kafka_io import read_all
from streams.connectors.builder import RecordBuilder
from streams.connectors.emitter import Emitter
from streams.connectors.pacing import paced
from streams.connectors.records import RawInteraction, RawPerson, RawRecord
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import Settings

START_MS = 1_717_200_000_000  # 2024-06-01T00:00:00Z
EVENTS = 20_000


class Run:
    def __init__(self, spec: OrgSpec, events: int) -> None:
        self.sim = OrgSimulator(spec, events, START_MS)
        self.records: list[RawRecord] = list(self.sim.records())
        self.people = [r for r in self.records if isinstance(r, RawPerson)]
        self.events = [r for r in self.records if isinstance(r, RawInteraction)]
        self.team = {p.person: p.team for p in self.people}
        self.bots = {p.person for p in self.people if p.bot}
        self.truth = self.sim.ground_truth()

    def same_team(self, a: str, b: str) -> bool:
        return a in self.team and self.team.get(a) == self.team.get(b)


@pytest.fixture(scope="module")
def run() -> Run:
    return Run(OrgSpec(), EVENTS)


def test_same_seed_same_records() -> None:
    first = list(OrgSimulator(OrgSpec(seed=11), 3000, START_MS).records())
    second = list(OrgSimulator(OrgSpec(seed=11), 3000, START_MS).records())
    assert first == second


def test_different_seed_different_records() -> None:
    first = list(OrgSimulator(OrgSpec(seed=11), 3000, START_MS).records())
    other = list(OrgSimulator(OrgSpec(seed=12), 3000, START_MS).records())
    assert first != other
    events = [r for r in first if isinstance(r, RawInteraction)]
    other_events = [r for r in other if isinstance(r, RawInteraction)]
    differing = sum(
        (a.actor, a.targets, a.occurred_at) != (b.actor, b.targets, b.occurred_at)
        for a, b in zip(events, other_events, strict=True)
    )
    assert differing > 0.9 * len(events)


def test_another_run_is_the_same_org_with_new_events() -> None:
    first = list(OrgSimulator(OrgSpec(seed=11), 3000, START_MS).records())
    again = list(OrgSimulator(OrgSpec(seed=11, run=1), 3000, START_MS).records())
    assert again == list(OrgSimulator(OrgSpec(seed=11, run=1), 3000, START_MS).records())
    people = [r for r in first if isinstance(r, RawPerson)]
    assert [r for r in again if isinstance(r, RawPerson)] == people
    events = [r for r in first if isinstance(r, RawInteraction)]
    new = [r for r in again if isinstance(r, RawInteraction)]
    assert not {e.event_id for e in events} & {e.event_id for e in new}
    assert events[0].event_id == "acme-sim-000000001" and new[0].event_id == "acme-sim-1-000000001"
    assert sum(a.actor != b.actor for a, b in zip(events, new, strict=True)) > 0.5 * len(events)


def test_directory_first_then_ordered_events(run: Run) -> None:
    assert len(run.events) == EVENTS
    kinds = [isinstance(r, RawPerson) for r in run.records]
    assert kinds == [True] * len(run.people) + [False] * EVENTS
    times = [e.occurred_at for e in run.events if isinstance(e.occurred_at, int)]
    assert len(times) == EVENTS  # epoch milliseconds throughout
    assert all(a <= b for a, b in itertools.pairwise(times))
    assert min(times) >= START_MS
    assert len({e.event_id for e in run.events}) == EVENTS
    assert {e.tenant for e in run.events} == {"acme"} == {p.tenant for p in run.people}


def test_every_event_is_valid_for_the_sdk(run: Run) -> None:
    builder = RecordBuilder(Settings())
    for raw in run.events[:3000]:
        builder.interaction(raw)
    for person in run.people:
        builder.person(person)


def test_org_shape_small_teams_bots_unassigned(run: Run) -> None:
    sizes: dict[str, int] = defaultdict(int)
    for person in run.people:
        sizes[person.team] += 1
    assert any(size < 5 for team, size in sizes.items() if not team.startswith("automation"))
    assert run.bots and all(p.bot for p in run.people if p.person in run.bots)
    assert sum(p.bot for p in run.people) == OrgSpec().bots
    assert {p.team for p in run.people if p.bot}.isdisjoint(
        {p.team for p in run.people if not p.bot}
    )
    everyone = {e.actor for e in run.events} | {t for e in run.events for t in e.targets}
    unassigned = everyone - set(run.team)
    assert len(unassigned) == OrgSpec().unassigned_people
    managers = {p.manager for p in run.people if p.manager is not None}
    assert managers and managers <= set(run.team)
    assert {b for b in run.bots if any(e.actor == b for e in run.events)}  # bots do act


def test_no_event_targets_its_own_actor(run: Run) -> None:
    selfish = [e.event_id for e in run.events if e.actor in e.targets]
    assert selfish == []


def test_ground_truth_plants_silos(run: Run) -> None:
    teams = run.truth["teams"]
    siloed = {t for t, v in teams.items() if v["planted_silo"]}
    assert len(siloed) == OrgSpec().siloed_teams
    for team, values in teams.items():
        assert values["members"] == sum(p.team == team for p in run.people)
        if values["expected_ei"] is None:
            continue
        if team in siloed:
            assert values["expected_ei"] <= -0.6, team
        else:
            assert values["expected_ei"] >= -0.4, team


def test_empirical_ei_matches_ground_truth(run: Run) -> None:
    internal: dict[str, float] = defaultdict(float)
    external: dict[str, float] = defaultdict(float)
    for event in run.events:
        for target in event.targets:
            if target == event.actor:
                continue
            a, b = run.team.get(event.actor), run.team.get(target)
            if a is not None and a == b:
                internal[a] += event.weight
                continue
            for team in {a, b} - {None}:
                assert team is not None
                external[team] += event.weight
    checked = 0
    for team, values in run.truth["teams"].items():
        if values["members"] < 5 or values["expected_ei"] is None:
            continue
        i, e = internal[team], external[team]
        assert e + i > 200, team
        assert abs((e - i) / (e + i) - values["expected_ei"]) <= 0.1, team
        checked += 1
    assert checked >= 8


def answered_requests(run: Run) -> dict[str, list[float]]:
    requests = {e.event_id: e for e in run.events if e.kind == "request"}
    latencies: dict[str, list[float]] = {"within_team": [], "cross_team": []}
    for reply in run.events:
        if reply.kind != "reply" or reply.in_reply_to is None or reply.actor in run.bots:
            continue
        request = requests[reply.in_reply_to]
        scope = "within_team" if run.same_team(request.actor, reply.actor) else "cross_team"
        assert isinstance(reply.occurred_at, int) and isinstance(request.occurred_at, int)
        latencies[scope].append((reply.occurred_at - request.occurred_at) / 1000)
    return latencies


def test_latency_medians_near_the_planted_ones(run: Run) -> None:
    latencies = answered_requests(run)
    spec = OrgSpec()
    planted = {
        "within_team": spec.within_latency_median_s,
        "cross_team": spec.cross_latency_median_s,
    }
    for scope, values in latencies.items():
        assert len(values) >= 300, scope
        median = statistics.median(values)
        assert abs(median - planted[scope]) <= 0.25 * planted[scope], scope
        truth = run.truth["latency"][scope]
        assert truth["planted_median_seconds"] == planted[scope]
        assert truth["answers"] == len(values)
        assert truth["sample_median_seconds"] == pytest.approx(median, abs=0.001)


def test_replies_answer_requests(run: Run) -> None:
    by_id = {e.event_id: e for e in run.events}
    position = {e.event_id: n for n, e in enumerate(run.events)}
    human_replies = [e for e in run.events if e.kind == "reply" and e.actor not in run.bots]
    assert len(human_replies) > 500
    for reply in human_replies:
        assert reply.in_reply_to is not None
        request = by_id[reply.in_reply_to]
        assert request.kind == "request" and position[request.event_id] < position[reply.event_id]
        assert list(reply.targets) == [request.actor] and list(request.targets) == [reply.actor]
        assert reply.actor != request.actor
    bot_replies = [e for e in run.events if e.kind == "reply" and e.actor in run.bots]
    assert bot_replies
    for reply in bot_replies:
        assert reply.thread_id is not None and by_id[reply.thread_id].kind == "request"


def test_followups_share_the_requests_thread(run: Run) -> None:
    # Bot replies and the requester's own follow-ups are decoys a pipeline must not count as
    # responses; they can only be linked to their request if the request carries the thread.
    by_id = {e.event_id: e for e in run.events}
    linked = [e for e in run.events if e.thread_id in by_id and e.in_reply_to is None]
    assert linked
    unthreaded = {e.thread_id for e in linked if by_id[str(e.thread_id)].thread_id != e.thread_id}
    assert unthreaded == set()


def test_simulator_runs_through_the_sdk(sdk_settings: Settings) -> None:
    spec = OrgSpec(seed=3, people=40, teams=5, events_per_hour=3600.0)
    sim = OrgSimulator(spec, 300, int(time.time() * 1000) - 86_400_000)
    summary = sim.run(Emitter(sdk_settings, envelopes=False))
    directory = sum(1 for m in sim.org.members if m.team is not None)
    assert (summary.read, summary.produced, sum(summary.skipped.values())) == (
        directory + 300,
        directory + 300,
        0,
    )
    messages = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    assert len(messages) == 300 and len({m.partition for m in messages}) == 1
    events = decoded_events(sdk_settings, (m.value for m in messages))
    assert all(e["source"] == "simulator" for e in events)
    assert len(read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)) == directory


def test_paced_holds_the_rate() -> None:
    started = time.monotonic()
    assert list(paced(range(50), rate=100)) == list(range(50))
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert list(paced(range(1000), rate=0)) == list(range(1000))
    assert time.monotonic() - started < 0.4
