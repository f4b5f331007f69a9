"""Schema-valid records with extreme values, mixed into the good events of several tenants on
several partitions and produced straight to the topic: the worker dead-letters exactly the
records that break a documented limit, applies every other one, keeps running, and ends with
the state of the offline analysis of the good records alone."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence

from confluent_kafka import Message, Producer
from prometheus_client import CollectorRegistry, generate_latest
from support.expected import PROCESSED, counter_by
from support.kafka import end_offsets
from support.worker import WorkerProcess, wait_for

from faults.extremes import Extreme, Extremes, plain_interaction, plain_person
from streams.analytics.config import AnalyticsConfig
from streams.connectors.records import RawInteraction, RawPerson
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.engine.runtime import Runtime
from streams.kafka.codec import interaction_codec, person_codec
from streams.kafka.topic_reader import read_to_end
from streams.metrics.counters import WorkerMetrics
from streams.model import Interaction, Person
from streams.settings import Settings
from streams.timeutil import now_ms, parse_time

TENANTS = ("acme", "globex", "initech")  # partitions 0, 3 and 2 of 4
CLOCK = "clock"
"""The tenant of the extreme timestamps (near 1970, near the future limit): they move its
watermark, so they stay out of the other tenants."""
EVENTS = 2_000
EXTREMES = 300
TIMED = 40
SEED = 11_000_011
PRODUCIBLE_BYTES = 512 * 1024
"""Larger records are refused by the producer and the broker (1 MiB), before any worker."""
DEAD_LETTERED = "orgpulse_events_dead_lettered_total"


def organizations() -> tuple[list[Person], list[Interaction]]:
    """The directory and the events of three simulated tenants, ids as they are."""
    people: list[Person] = []
    events: list[Interaction] = []
    start = parse_time("2026-02-02T00:00:00Z")
    for seed, tenant in enumerate(TENANTS, start=3):
        org = OrgSimulator(OrgSpec(seed=seed, tenant=tenant, events_per_hour=200.0), EVENTS, start)
        for record in org.records():
            if isinstance(record, RawPerson):
                people.append(plain_person(record))
            elif isinstance(record, RawInteraction):
                events.append(plain_interaction(record))
    return people, events


def extremes(settings: Settings, events: Sequence[Interaction]) -> list[Extreme]:
    """Extreme copies of random good events, and timed copies moved to the clock tenant."""
    rng = random.Random(SEED)
    maker = Extremes(rng, now_ms(), settings.max_future_seconds * 1000)
    codec = interaction_codec(settings)
    made = [maker.of(rng.choice(events), mutations=3) for _ in range(EXTREMES)]
    made += [maker.timed({**rng.choice(events), "tenant": CLOCK}) for _ in range(TIMED)]
    return [x for x in made if len(codec.encode(x.record)) <= PRODUCIBLE_BYTES]


def mixed(good: Sequence[Interaction], bad: Sequence[Extreme]) -> list[Interaction | Extreme]:
    """The good events in order with the extremes at seeded random places among them."""
    places = set(random.Random(SEED + 1).sample(range(len(good) + len(bad)), len(bad)))
    goods, extreme = iter(good), iter(bad)
    return [next(extreme) if p in places else next(goods) for p in range(len(good) + len(bad))]


def produce(settings: Settings, people: Iterable[Person], stream: Iterable[Interaction]) -> None:
    """The directory, then the records, each keyed by its tenant, straight to the topics."""
    producer = Producer(
        {
            "bootstrap.servers": settings.bootstrap,
            "partitioner": "murmur2_random",
            "message.max.bytes": 2 * PRODUCIBLE_BYTES,
        }
    )
    persons = person_codec(settings)
    for person in people:
        key = f"{person['tenant']}/{person['person']}".encode()
        producer.produce(settings.topic_directory, key=key, value=persons.encode(person))
    assert producer.flush(30) == 0
    codec = interaction_codec(settings)
    for record in stream:
        while True:
            try:
                producer.produce(
                    settings.topic_interactions,
                    key=record["tenant"].encode(),
                    value=codec.encode(record),
                )
                break
            except BufferError:
                producer.poll(0.1)
    assert producer.flush(60) == 0


def offline(settings: Settings, people: Iterable[Person], good: Iterable[Interaction]) -> Runtime:
    """The runtime of an offline analysis of the directory and the good records in order."""
    metrics = WorkerMetrics(CollectorRegistry(), settings.max_sources_per_tenant)
    runtime = Runtime(AnalyticsConfig.from_settings(settings), {}, metrics)
    runtime.apply_directory((p["tenant"], p["person"], p) for p in people)
    runtime.apply_events(good)
    return runtime


def dead_letters(settings: Settings, count: int) -> list[Message]:
    """The whole DLQ, once it holds ``count`` records."""

    def arrived() -> bool:
        return sum(end_offsets(settings.bootstrap, settings.topic_dlq).values()) >= count

    wait_for(arrived, 120, f"{count} records on the DLQ")
    return list(read_to_end(settings.bootstrap, settings.topic_dlq, timeout=60))


def header(message: Message, name: str) -> str:
    """One header of a dead letter."""
    value = dict(message.headers() or [])[name]
    assert isinstance(value, bytes)
    return value.decode()


def test_extreme_records_are_dead_lettered_or_applied_by_the_documented_limits(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    people, good = organizations()
    made = extremes(pipeline, good)
    bad = [x for x in made if x.reasons]
    assert len(bad) > 100 and len(made) - len(bad) > 30  # both kinds, many of each
    stream = mixed(good, made)
    records = [x.record if isinstance(x, Extreme) else x for x in stream]
    accepted = [
        r
        for r, x in zip(records, stream, strict=True)
        if not isinstance(x, Extreme) or not x.reasons
    ]
    produce(pipeline, people, records)
    expected = offline(pipeline, people, accepted)

    dead = dead_letters(pipeline, len(bad))
    codec = interaction_codec(pipeline)
    reasons = {codec.encode(x.record): x.reasons for x in bad}
    assert Counter(m.value() for m in dead) == Counter(codec.encode(x.record) for x in bad)
    wrong = [(header(m, "reason"), reasons[m.value() or b""]) for m in dead]
    assert all(reason in allowed for reason, allowed in wrong), wrong[:5]
    assert {header(m, "stage") for m in dead} <= {"decode", "validate"}

    worker.wait_counted(len(records), timeout=180)
    exposition = generate_latest(expected.metrics.registry).decode()
    for name, label in ((PROCESSED, "tenant"), (PROCESSED, "source")):
        assert worker.counter_by(name, label) == counter_by(exposition, name, label)
    for name in ("orgpulse_events_duplicate_total", "orgpulse_events_late_total"):
        assert worker.counter_by(name, "tenant") == counter_by(exposition, name, "tenant")
    assert sum(worker.counter_by(DEAD_LETTERED, "reason").values()) == len(bad)
    for tenant in (*TENANTS, CLOCK):
        state = expected.state(tenant)
        snapshots = {w: state.snapshot(w) for w in pipeline.windows}
        worker.await_snapshots(tenant, snapshots, timeout=60)
    assert json.loads(worker.get("/health"))["status"] == "ok"
    assert worker.process is not None and worker.process.poll() is None


def test_the_reported_record_is_dead_lettered_and_the_events_after_it_applied(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    people, good = organizations()
    acme = [e for e in good if e["tenant"] == "acme"][:600]
    poison: Interaction = {**acme[300], "event_id": "poison", "weight": 1e303}
    produce(pipeline, people, [*acme[:300], poison, *acme[300:]])
    expected = offline(pipeline, people, acme)

    (letter,) = dead_letters(pipeline, 1)
    assert header(letter, "reason") == "bad_weight"
    assert letter.value() == interaction_codec(pipeline).encode(poison)
    worker.wait_counted(601)
    assert worker.counter_by(PROCESSED, "tenant") == {"acme": 600}
    state = expected.state("acme")
    worker.await_snapshots("acme", {w: state.snapshot(w) for w in pipeline.windows})
