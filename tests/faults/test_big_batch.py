"""3,000 events of 50 targets each in one batch: their delta (several MiB of JSON) is stored
as consecutive parts that each fit the changelog's 1 MiB limit, and a worker restarted on
the changelog serves the offline snapshots."""

from __future__ import annotations

import json
import signal
import time

from confluent_kafka import Producer
from prometheus_client import CollectorRegistry
from support.expected import PROCESSED, Snapshots
from support.kafka import uncommitted
from support.worker import WorkerProcess, wait_for

from streams.analytics.config import AnalyticsConfig
from streams.engine.runtime import Runtime
from streams.kafka.codec import interaction_codec
from streams.kafka.topic_reader import read_to_end
from streams.metrics.counters import WorkerMetrics
from streams.model import Interaction, new_interaction
from streams.settings import Settings
from streams.timeutil import parse_time

EVENTS = 3_000
TARGETS = 50
PEOPLE = [f"p_{i:032x}" for i in range(120)]
BROKER_MESSAGE_LIMIT = 1_048_588
"""Kafka's default ``max.message.bytes`` of a topic (the changelog's)."""


def wide_events() -> list[Interaction]:
    """Events of one tenant, each from one person to 50 others (not a broadcast)."""
    start = parse_time("2026-05-04T00:00:00Z")
    return [
        new_interaction(
            f"wide-{i}",
            "acme",
            start + i * 1000,
            PEOPLE[i % len(PEOPLE)],
            [PEOPLE[(i + k) % len(PEOPLE)] for k in range(1, TARGETS + 1)],
            source="bulk",
        )
        for i in range(EVENTS)
    ]


def offline_snapshots(settings: Settings, events: list[Interaction]) -> Snapshots:
    """The snapshots of an offline run over the events, in small batches."""
    runtime = Runtime(
        AnalyticsConfig.from_settings(settings), {}, WorkerMetrics(CollectorRegistry())
    )
    for start in range(0, len(events), 100):
        runtime.apply_events(events[start : start + 100])
    state = runtime.state("acme")
    return {window: state.snapshot(window) for window in settings.windows}


def test_a_batch_of_3000_events_of_50_targets_persists_and_survives_a_restart(
    pipeline: Settings,
) -> None:
    settings = pipeline.model_copy(update={"batch_size": 5000, "batch_within_seconds": 20.0})
    events = wide_events()
    codec = interaction_codec(settings)
    producer = Producer({"bootstrap.servers": settings.bootstrap, "partitioner": "murmur2_random"})
    for event in events:
        producer.produce(settings.topic_interactions, key=b"acme", value=codec.encode(event))
    assert producer.flush(30) == 0
    expected = offline_snapshots(settings, events)

    worker = WorkerProcess(settings)
    worker.start()
    try:
        wait_for(lambda: worker.processed() >= EVENTS, 120, f"{EVENTS} events processed")
        assert worker.counter_by(PROCESSED, "tenant") == {"acme": EVENTS}
        wait_for(
            lambda: (
                uncommitted(settings.bootstrap, settings.app_id, settings.topic_interactions) == 0
            ),
            60,
            "the batch to be committed",
        )
        changelog = list(read_to_end(settings.bootstrap, f"{settings.app_id}-deltas-changelog"))
        sizes = [len(m.value() or b"") for m in changelog]
        assert len(sizes) > 2 and max(sizes) < BROKER_MESSAGE_LIMIT
        assert sum(sizes) > 2 * BROKER_MESSAGE_LIMIT
        deltas = [json.loads(m.value() or b"{}") for m in changelog]
        ends = [op for delta in deltas for op in delta["ops"] if op[0] == "s"]
        assert len(ends) == 1, "the events must have come in one batch (one silo-state op)"
        signalled = time.monotonic()
        worker.stop(signal.SIGTERM)
        assert time.monotonic() - signalled < 15
        worker.start()
        worker.await_snapshots("acme", expected, timeout=60)
        assert worker.processed() == 0  # everything came from the changelog
    finally:
        worker.stop()
