"""The minimum group size rule on the real worker: a team of 5 with 2 active people is named
nowhere (snapshot teams, flows, /metrics labels, knowledge); a fully active team of 5 is.

The expectation is computed here from the raw events with plain Python (README "Privacy").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from support.expected import counter_by
from support.worker import WorkerProcess, wait_for

from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson
from streams.settings import Settings
from streams.timeutil import parse_time

TENANT = "privacy"
T0 = parse_time("2026-09-01T09:00:00Z")
MINUTE = 60_000
SIZE = 5
TEAMS = {
    **{f"busy{i}": "busy" for i in range(SIZE)},
    **{f"peer{i}": "peers" for i in range(SIZE)},
    **{f"quiet{i}": "quiet" for i in range(SIZE)},
}


def chatter() -> list[tuple[str, str]]:
    """(actor, target) of the plain messages: busy and peers all talk, only quiet0/1 do."""
    pairs = [(f"{t}{i}", f"{t}{(i + 1) % SIZE}") for t in ("busy", "peer") for i in range(SIZE)]
    return [
        *pairs,
        ("quiet0", "quiet1"),
        ("quiet0", "busy0"),
        ("busy1", "quiet1"),
        ("busy2", "peer3"),
    ]


def events() -> list[RawInteraction]:
    """Chatter first, then requests by quiet0, busy3 (both answered) and quiet1 (open)."""
    out = [
        RawInteraction(f"m{n}", TENANT, "test", "message", T0 + n * MINUTE, a, (b,))
        for n, (a, b) in enumerate(chatter())
    ]
    start = T0 + 60 * MINUTE
    requests = [
        ("rq", "quiet0", "busy0", 10),
        ("rb", "busy3", "peer0", 20),
        ("ro", "quiet1", "busy4", 0),
    ]
    for n, (event_id, actor, target, answer_after) in enumerate(requests):
        at = start + n * MINUTE
        out.append(
            RawInteraction(
                event_id, TENANT, "test", "request", at, actor, (target,), thread_id=event_id
            )
        )
        if answer_after:
            out.append(
                RawInteraction(
                    f"{event_id}-answer",
                    TENANT,
                    "test",
                    "reply",
                    at + answer_after * MINUTE,
                    target,
                    (actor,),
                    thread_id=event_id,
                    in_reply_to=event_id,
                )
            )
    return sorted(out, key=lambda e: e.occurred_at)


def named(prefix: list[RawInteraction]) -> set[str]:
    """Teams with ≥ SIZE directory members and ≥ SIZE people in a pair of ``prefix``."""
    members = Counter(TEAMS.values())
    active = Counter(TEAMS[p] for p in {p for e in prefix for p in (e.actor, *e.targets)})
    return {team for team in members if members[team] >= SIZE and active[team] >= SIZE}


def expected_requests() -> Counter[str]:
    """Requests by metric team label: the requester's team if named when the request opens."""
    stream, labels = events(), Counter[str]()
    for index, event in enumerate(stream):
        if event.kind == "request":
            team = TEAMS[event.actor]
            labels[team if team in named(stream[: index + 1]) else "other"] += 1
    return labels


def expected_flows() -> dict[tuple[str, str], float]:
    """Team→team weight between two named teams."""
    reported = named(events())
    flows: defaultdict[tuple[str, str], float] = defaultdict(float)
    for event in events():
        for target in event.targets:
            src, dst = TEAMS[event.actor], TEAMS[target]
            if src != dst and src in reported and dst in reported:
                flows[src, dst] += event.weight
    return dict(flows)


def open_requests(worker: WorkerProcess) -> dict[str, float]:
    """``orgpulse_requests_open`` by team (refreshed with the snapshots)."""
    return counter_by(worker.get("/metrics").decode(), "orgpulse_requests_open", "team")


def test_a_team_with_two_active_members_is_named_nowhere(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    stream = events()
    assert named(stream) == {"busy", "peers"}
    with Emitter(pipeline) as emitter:
        for person, team in TEAMS.items():
            emitter.emit(RawPerson(TENANT, person, team))
        emitter.flush()
        for event in stream:
            emitter.emit(event)
    worker.wait_counted(len(stream))
    wait_for(lambda: bool(worker.snapshot(TENANT, "1d")["teams"]), 60, "a refreshed snapshot")
    wait_for(lambda: bool(open_requests(worker)), 60, "the open requests gauge")

    for window in ("1d", "7d", "28d"):
        snapshot = worker.snapshot(TENANT, window)
        assert set(snapshot["teams"]) == {"busy", "peers"}
        assert snapshot["org"]["people"] == len({p for e in stream for p in (e.actor, *e.targets)})
        flows = {(f["src"], f["dst"]): f["weight"] for f in snapshot["flow"]}
        assert flows == expected_flows()

    exposition = worker.get("/metrics").decode()
    assert not re.search(r'="quiet', exposition), "quiet is named in a metric label"
    assert counter_by(exposition, "orgpulse_requests_total", "team") == expected_requests()
    assert expected_requests() == {"other": 2, "busy": 1}
    latency = counter_by(exposition, "orgpulse_response_latency_seconds_count", "team")
    assert latency == {"other": 1, "busy": 1}
    assert open_requests(worker) == {"other": 1}
    assert counter_by(exposition, "orgpulse_team_ei_index", "team").keys() == {"busy", "peers"}
    knowledge = worker.get(f"/api/v1/tenants/{TENANT}/knowledge").decode()
    assert "quiet" not in knowledge
