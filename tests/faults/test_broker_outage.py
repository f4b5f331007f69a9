"""The broker goes away for 30 s while the worker is mid-stream: the worker reconnects on its
own and ends with the snapshots of the offline analysis, every event applied exactly once."""

from __future__ import annotations

import time

from support.expected import PROCESSED, expect
from support.kafka import stopped
from support.replay import Replay, split_after_events
from support.worker import WorkerProcess, wait_for

from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.local.broker import LocalBroker
from streams.settings import Settings
from streams.timeutil import parse_time

EVENTS = 60_000
BEFORE_OUTAGE = 50_000
"""Seconds of work for the worker, so the broker is gone before it has processed them."""
OUTAGE_SECONDS = 30.0


def simulator() -> OrgSimulator:
    """About eight days of a simulated org, inside the largest window."""
    return OrgSimulator(
        OrgSpec(seed=8, events_per_hour=100.0), EVENTS, parse_time("2025-08-01T00:00:00Z")
    )


def outage(broker: LocalBroker, worker: WorkerProcess) -> float:
    """Stop the broker for ``OUTAGE_SECONDS``, checking the worker stays up, then start it
    again; returns the events the worker had processed when the broker was gone."""
    with stopped(broker):
        processed = worker.processed()
        ends = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < ends:
            assert worker.process is not None and worker.process.poll() is None, worker.log_tail()
            time.sleep(1.0)
    return processed


def test_worker_reconnects_after_a_broker_outage_and_misses_nothing(
    dedicated_broker: LocalBroker, dedicated_pipeline: Settings
) -> None:
    settings = dedicated_pipeline
    records = list(simulator().records())
    expected = expect(records, settings)
    before, after = split_after_events(records, BEFORE_OUTAGE)
    worker = WorkerProcess(settings)
    worker.start()
    try:
        Replay(before).run(Emitter(settings))
        wait_for(lambda: worker.processed() > 0, 60, "the worker to be processing")
        processed = outage(dedicated_broker, worker)
        assert processed < BEFORE_OUTAGE, "the outage must begin mid-stream"
        Replay(after).run(Emitter(settings))
        worker.await_snapshots("acme", expected.snapshots("acme"), timeout=180)
        assert worker.counter_by(PROCESSED, "tenant") == expected.processed()
        assert worker.starts == 1 and worker.process is not None
        assert worker.process.poll() is None
    finally:
        worker.stop()
