"""10,000 seeded bad records mixed into 100,000 good ones: every bad record reaches the DLQ
once, with its original bytes and a reason; every good one is counted and applied."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator, Sequence

from confluent_kafka import Message, Producer
from support.expected import PROCESSED, expect
from support.kafka import end_offsets
from support.replay import Replay
from support.worker import WorkerProcess, wait_for

from faults.fuzz import BadRecord, Fuzzer
from streams.connectors.builder import RecordBuilder
from streams.connectors.emitter import Emitter, producer_config
from streams.connectors.records import RawInteraction
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.codec import interaction_codec
from streams.kafka.topic_reader import read_to_end
from streams.settings import Settings
from streams.timeutil import parse_time

GOOD = 100_000
BAD = 10_000
SEED = 1_170_000
DEAD_LETTERED = "orgpulse_events_dead_lettered_total"


def simulator() -> OrgSimulator:
    """About 21 days of a simulated org: every good event is inside the largest window."""
    return OrgSimulator(
        OrgSpec(seed=9, events_per_hour=200.0), GOOD, parse_time("2025-06-01T00:00:00Z")
    )


def bad_records(settings: Settings, events: Sequence[RawInteraction]) -> list[BadRecord]:
    """The seeded bad records, derived from some of the simulated events."""
    builder = RecordBuilder(settings)
    valid = [builder.interaction(event) for event in events[-2_000:]]
    return Fuzzer(random.Random(SEED), interaction_codec(settings), valid).records(BAD)


def mixed(
    events: Sequence[RawInteraction], bad: Sequence[BadRecord]
) -> Iterator[RawInteraction | BadRecord]:
    """The good events in order, with the bad records at seeded random places among them."""
    places = set(random.Random(SEED + 1).sample(range(len(events) + len(bad)), len(bad)))
    good, damaged = iter(events), iter(bad)
    for place in range(len(events) + len(bad)):
        yield next(damaged) if place in places else next(good)


def produce(settings: Settings, stream: Iterator[RawInteraction | BadRecord]) -> None:
    """Good events through the connector emitter, bad values raw, all through one producer so
    that they keep their order on the tenant's partition."""
    producer = Producer(producer_config(settings))
    with Emitter(settings, producer) as emitter:
        for item in stream:
            if isinstance(item, RawInteraction):
                emitter.emit(item)
                continue
            while True:
                try:
                    producer.produce(settings.topic_interactions, key=b"acme", value=item.value)
                    break
                except BufferError:
                    producer.poll(0.1)


def dead_letters(settings: Settings, count: int) -> list[Message]:
    """The whole DLQ topic, once it holds ``count`` records."""

    def arrived() -> bool:
        return sum(end_offsets(settings.bootstrap, settings.topic_dlq).values()) >= count

    wait_for(arrived, 180, f"{count} records on the DLQ")
    return list(read_to_end(settings.bootstrap, settings.topic_dlq, timeout=60))


def reason_of(message: Message) -> str:
    """The ``reason`` header of a dead letter."""
    reason = dict(message.headers() or [])["reason"]
    assert isinstance(reason, bytes)
    return reason.decode()


def test_fuzzed_records_are_dead_lettered_and_good_ones_counted(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    org = simulator()
    people, events = list(org.directory()), list(org.simulation.events(GOOD))
    expected = expect([*people, *events], pipeline)
    bad = bad_records(pipeline, events)
    Replay(people).run(Emitter(pipeline))
    produce(pipeline, mixed(events, bad))

    dead = dead_letters(pipeline, BAD)
    assert Counter(m.value() for m in dead) == Counter(b.value for b in bad)
    allowed: dict[bytes | None, set[str]] = {}
    for record in bad:
        allowed.setdefault(record.value, set()).update(record.reasons)
    wrong = [(m.value(), reason_of(m)) for m in dead if reason_of(m) not in allowed[m.value()]]
    assert not wrong, wrong[:5]

    worker.wait_counted(GOOD + BAD, timeout=240)
    by_reason = Counter(reason_of(m) for m in dead)
    assert worker.counter_by(DEAD_LETTERED, "reason") == by_reason
    assert by_reason.total() == BAD
    assert worker.counter_by(PROCESSED, "tenant") == expected.processed() == {"acme": GOOD}
    for name in ("orgpulse_events_duplicate_total", "orgpulse_events_late_total"):
        assert worker.counter_by(name, "tenant") == expected.counter_by(name, "tenant")
    worker.await_snapshots("acme", expected.snapshots("acme"))
    assert json.loads(worker.get("/health"))["status"] == "ok"
