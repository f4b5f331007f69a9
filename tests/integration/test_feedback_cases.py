"""Request/response pairing through the real worker: out of order, self-reply, bot, expiry."""

from __future__ import annotations

from support.worker import WorkerProcess, wait_for

from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson
from streams.settings import Settings
from streams.timeutil import parse_time

T0 = parse_time("2026-09-01T00:00:00Z")
MINUTE, HOUR, DAY = 60_000, 3_600_000, 86_400_000


def event(
    event_id: str,
    kind: str,
    at: int,
    actor: str,
    targets: list[str],
    thread: str | None = None,
    reply_to: str | None = None,
) -> RawInteraction:
    return RawInteraction(
        event_id,
        "fb",
        "test",
        kind,
        T0 + at,
        actor,
        targets,
        thread_id=thread,
        in_reply_to=reply_to,
    )


def test_pairing_rules_on_the_real_worker(pipeline: Settings, worker: WorkerProcess) -> None:
    people = [RawPerson("fb", f"a{i}", "team-a") for i in range(1, 6)]
    people += [RawPerson("fb", f"b{i}", "team-b") for i in range(1, 6)]
    people.append(RawPerson("fb", "helper-bot", "team-a", bot=True))
    events = [
        event("r1", "request", 0, "a1", ["a2"], thread="r1"),
        event("self", "reply", 1 * MINUTE, "a1", ["a2"], thread="r1", reply_to="r1"),
        event("bot", "reply", 2 * MINUTE, "helper-bot", ["a1"], thread="r1", reply_to="r1"),
        event("ans1", "reply", 10 * MINUTE, "a2", ["a1"], thread="r1", reply_to="r1"),
        # the answer to r2 arrives before r2 itself
        event("ans2", "comment", HOUR + 30 * MINUTE, "b1", ["a3"], thread="t2"),
        event("r2", "request", HOUR, "a3", ["b1"], thread="t2"),
        event("r3", "request", 2 * HOUR, "a4", ["b2"], thread="r3"),
        event("later", "message", 15 * DAY, "b2", ["b3"]),
        # after the horizon: r3 stays unanswered
        event("late-answer", "reply", 15 * DAY + HOUR, "b2", ["a4"], thread="r3", reply_to="r3"),
    ]
    emitter = Emitter(pipeline)
    for person in people:
        emitter.emit(person)
    emitter.flush()
    for item in events:
        emitter.emit(item)
    emitter.close()

    expected = {
        "requests": 3,
        "answered": 2,
        "unanswered": 1,
        "open": 0,
        "p50_seconds": 600.0,
        "p90_seconds": 1800.0,
        "within_team": {"answered": 1, "p50_seconds": 600.0, "p90_seconds": 600.0},
        "cross_team": {"answered": 1, "p50_seconds": 1800.0, "p90_seconds": 1800.0},
    }
    try:
        wait_for(lambda: _feedback(worker) == expected, 60, "the 28d feedback section")
    except TimeoutError:
        assert _feedback(worker) == expected
        raise
    assert worker.snapshot("fb", "7d")["feedback"]["requests"] == 0
    metrics = worker.get("/metrics").decode()
    # team-a is named from r3 on: only then has it 5 active people (a1-a4 and the bot) in 28d
    assert (
        'orgpulse_requests_unanswered_total{source="test",team="team-a",tenant="fb"} 1.0' in metrics
    )
    assert 'orgpulse_requests_total{source="test",team="team-a",tenant="fb"} 1.0' in metrics
    assert 'orgpulse_requests_total{source="test",team="other",tenant="fb"} 2.0' in metrics
    latency = (
        'orgpulse_response_latency_seconds_count{{scope="{}",source="test",team="other",'
        'tenant="fb"}} 1.0'
    )
    assert latency.format("within_team") in metrics and latency.format("cross_team") in metrics


def _feedback(worker: WorkerProcess) -> object:
    try:
        return worker.snapshot("fb", "28d")["feedback"]
    except OSError:
        return None
