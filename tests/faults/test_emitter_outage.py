"""The connector producer while the broker is down or restarting: every record is delivered
exactly once or reported as undelivered, never silently lost and never duplicated."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from confluent_kafka import Producer
from connectors.expected import namespaced
from support.events import topic_events
from support.kafka import stopped
from support.worker import wait_for

from streams.connectors.emitter import DeliveryError, Emitter, producer_config
from streams.connectors.records import RawInteraction
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.local.broker import LocalBroker
from streams.settings import Settings
from streams.timeutil import parse_time

START = parse_time("2025-09-01T00:00:00Z")
SHORT_TIMEOUT_MS = 5_000
"""Delivery timeout of the producer whose records must be reported during a long outage."""
PART = 2_000
"""Events produced before, during and after the long outage."""
RESTART_EVENTS = 10_000
RATE = 1_000.0
"""Events per second produced across the broker restart (about ten seconds of production)."""
DOWN_SECONDS = 5.0


def event_ids(events: list[RawInteraction]) -> set[str]:
    """The pseudonymized event ids the topic must hold for ``events``."""
    return {namespaced("event", e.tenant, e.event_id) for e in events}


def simulated_events(count: int, seed: int) -> list[RawInteraction]:
    """``count`` simulated interactions (distinct event ids), without the directory."""
    simulator = OrgSimulator(OrgSpec(seed=seed), count, START)
    return list(simulator.simulation.events(count))


def delivered_ids(settings: Settings) -> Counter[str]:
    """How often each event id is on the interactions topic."""
    return Counter(e["event_id"] for e in topic_events(settings))


def emit_all(emitter: Emitter, events: list[RawInteraction]) -> None:
    """Hand every event to the emitter (delivery is asynchronous)."""
    for event in events:
        emitter.emit(event)


def test_records_the_broker_never_receives_are_reported(
    dedicated_broker: LocalBroker, dedicated_pipeline: Settings
) -> None:
    settings = dedicated_pipeline
    events = simulated_events(3 * PART, seed=1)
    before, during, after = events[:PART], events[PART : 2 * PART], events[2 * PART :]
    config = {**producer_config(settings), "message.timeout.ms": SHORT_TIMEOUT_MS}
    emitter = Emitter(settings, Producer(config))
    emit_all(emitter, before)
    assert emitter.flush() == 0
    with stopped(dedicated_broker):
        emit_all(emitter, during)
        wait_for(lambda: emitter.flush(0.5) == 0, 60, "the outage's records to be reported")
    emit_all(emitter, after)
    with pytest.raises(DeliveryError, match=f"{len(during)} records failed and 0 are undelivered"):
        emitter.close()

    stats = emitter.stats
    assert stats.produced == len(before) + len(during) + len(after)
    assert stats.failed == len(during) and stats.errors == {"_MSG_TIMED_OUT": len(during)}
    assert stats.delivered + stats.failed == stats.produced
    on_topic = delivered_ids(settings)
    assert max(on_topic.values()) == 1, "a record was written twice"
    assert set(on_topic) == event_ids(before + after)
    assert len(on_topic) == stats.delivered


def restart_while_producing(broker: LocalBroker, emitter: Emitter) -> int:
    """Stop the broker once the emitter is producing, keep it down for a few seconds and
    start it again; returns how many records were produced while it was down."""
    wait_for(lambda: emitter.stats.produced >= RATE, 60, "the connector to be producing")
    with stopped(broker):
        produced_when_stopped = emitter.stats.produced
        time.sleep(DOWN_SECONDS)
        return emitter.stats.produced - produced_when_stopped


def test_records_produced_across_a_broker_restart_arrive_exactly_once(
    dedicated_broker: LocalBroker, dedicated_pipeline: Settings
) -> None:
    settings = dedicated_pipeline
    simulator = OrgSimulator(OrgSpec(seed=4), RESTART_EVENTS, START, rate=RATE)
    emitter = Emitter(settings)
    with ThreadPoolExecutor(1) as pool:
        run = pool.submit(simulator.run, emitter)
        produced_while_down = restart_while_producing(dedicated_broker, emitter)
        summary = run.result(timeout=300)

    assert produced_while_down > 0
    assert summary.delivery.delivered == summary.delivery.produced == summary.produced
    on_topic = delivered_ids(settings)
    assert max(on_topic.values()) == 1, "a record was written twice"
    assert set(on_topic) == event_ids(simulated_events(RESTART_EVENTS, seed=4))
