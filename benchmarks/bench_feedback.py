"""Request/response pairing throughput and the memory of open requests.

``python benchmarks/bench_feedback.py [events] [open_requests]`` prints events/s of
``TenantState.apply`` on a stream with 30 % requests (the rest replies, thread messages and
plain messages; some responses arrive before their request), of the request tracker, of
information latency (5,000 people, 100 teams) and of the record checks alone on that stream,
the cost of one snapshot feedback section and of ``open_requests_by_age``, and the traced
memory of the request tracker holding N open requests.
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc

from streams.analytics.config import AnalyticsConfig
from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.feedback.stats import FeedbackRules
from streams.analytics.feedback.tracker import FeedbackTracker
from streams.analytics.knowledge.infolatency import InformationLatency
from streams.analytics.tenant import TenantState
from streams.model import Interaction, Kind
from streams.records.validation import validate_interaction

CONFIG = AnalyticsConfig()
PEOPLE = [f"person-{i:05d}" for i in range(5_000)]
DIRECTORY = {person: f"team-{i % 100}" for i, person in enumerate(PEOPLE)}


def stream(n: int, rng: random.Random) -> list[Interaction]:
    """n events, one every 500 ms on average: 30 % requests, 30 % replies to a recent
    request (10 % of those sent before it), 20 % thread messages, 20 % plain messages."""
    events: list[Interaction] = []
    clock = 1_700_000_000_000
    for i in range(n):
        clock += rng.randint(0, 1000)
        roll = rng.random()
        kind: Kind = "message"
        thread = reply = None
        t = clock
        if roll < 0.3:
            kind, thread = "request", f"thread-{i}"
        elif roll < 0.6:
            kind, reply = "reply", f"e{max(0, i - rng.randint(1, 200))}"
            if rng.random() < 0.1:
                reply, t = f"e{i + rng.randint(1, 50)}", clock + 60_000
        elif roll < 0.8:
            thread = f"thread-{max(0, i - rng.randint(1, 500))}"
        events.append(
            Interaction(
                event_id=f"e{i}",
                tenant="bench",
                source="slack",
                kind=kind,
                occurred_at=t,
                actor=rng.choice(PEOPLE),
                targets=[rng.choice(PEOPLE)],
                thread_id=thread,
                in_reply_to=reply,
                channel=None,
                artifacts=[],
                weight=1.0,
                attributes={},
            )
        )
    return events


def throughput(n: int) -> None:
    """Events/s of TenantState.apply (windows + feedback) and of the feedback tracker alone."""
    events = stream(n, random.Random(1))
    state = TenantState("bench", CONFIG, DIRECTORY)
    start = time.perf_counter()
    for event in events:
        state.apply(event)
    elapsed = time.perf_counter() - start
    print(f"TenantState.apply: {n / elapsed:,.0f} events/s ({n:,} events, 30% requests)")
    tracker = FeedbackTracker(FeedbackRules.from_config(CONFIG), lambda team: True)
    directory = Directory(DIRECTORY)
    accepted = [_accepted(event) for event in events]
    start = time.perf_counter()
    for one in accepted:
        tracker.on_event(one, directory)
        tracker.take_facts()
    elapsed = time.perf_counter() - start
    print(f"FeedbackTracker.on_event alone: {n / elapsed:,.0f} events/s")
    latency = InformationLatency()
    start = time.perf_counter()
    for one in accepted:
        latency.on_event(one, directory)
    elapsed = time.perf_counter() - start
    print(f"InformationLatency.on_event alone: {n / elapsed:,.0f} events/s")
    now = max(event["occurred_at"] for event in events)
    start = time.perf_counter()
    for event in events:
        validate_interaction(event, now, 0)
    print(f"validate_interaction: {n / (time.perf_counter() - start):,.0f} events/s")
    start = time.perf_counter()
    stats = state.feedback_stats("28d")
    print(
        f"feedback section 28d: {time.perf_counter() - start:.3f} s for {stats.requests:,} requests"
    )


def _accepted(event: Interaction) -> AcceptedEvent:
    return AcceptedEvent(
        event["event_id"],
        event["occurred_at"],
        event["source"],
        event["kind"],
        event["actor"],
        tuple(event["targets"]),
        event["thread_id"],
        event["in_reply_to"],
        (),
        1_000_000,
        False,
    )


def open_requests_memory(n: int) -> None:
    """Traced bytes of a tracker holding n open requests (each in its own thread)."""
    directory = Directory(DIRECTORY)
    events = [
        AcceptedEvent(
            f"request-{i:09d}",
            1_700_000_000_000 + i,
            "slack",
            "request",
            PEOPLE[i % 5_000],
            (),
            f"thread-{i:09d}",
            None,
            (),
            1_000_000,
            False,
        )
        for i in range(n)
    ]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracker = FeedbackTracker(FeedbackRules.from_config(CONFIG), lambda team: True)
    for event in events:
        tracker.on_event(event, directory)
    tracker.take_facts()
    size = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"{n:,} open requests: {size / 2**20:,.0f} MiB ({size / n:,.0f} B each, ids not counted)")
    state = TenantState("bench", CONFIG, DIRECTORY)
    state.feedback = tracker
    start = time.perf_counter()
    state.open_requests_by_age(1_700_000_000_000 + n)
    print(f"open_requests_by_age over {n:,}: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    throughput(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
    open_requests_memory(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
