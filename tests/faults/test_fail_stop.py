"""Faults that are no record's fault make the worker exit without committing a record whose
effects are not on the broker: the broker refusing dead letters stops it with code 70 and a
restart applies every event exactly once; SIGTERM while a batch cannot finish (the broker is
gone) stops it within 15 s."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource
from support.events import decoded_events
from support.expected import expect
from support.kafka import committed_offsets, stopped
from support.replay import Replay, split_after_events
from support.worker import WorkerProcess, wait_for

from streams.agents.failstop import EXIT_FAIL_STOP, EXIT_STOPPED
from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.topic_reader import read_to_end
from streams.local.broker import LocalBroker
from streams.settings import Settings
from streams.timeutil import parse_time

EVENTS = 20_000
STOP_SECONDS = 15.0
GARBAGE = b"not an event"
BAD_AT = EVENTS * 9 // 10
"""Where the bad record goes: late enough for the worker to have committed some records."""


def simulator() -> OrgSimulator:
    """About a week of a simulated org, inside the largest window."""
    return OrgSimulator(
        OrgSpec(seed=12, events_per_hour=120.0), EVENTS, parse_time("2026-04-01T00:00:00Z")
    )


def committed(settings: Settings) -> dict[int, int]:
    """The worker group's committed offset of every partition of the interactions topic."""
    topic = settings.topic_interactions
    return committed_offsets(settings.bootstrap, settings.app_id, topic, range(4))


def persisted_events(settings: Settings) -> set[str]:
    """Ids of the events in the deltas on the changelog (the latest value of every key)."""
    topic = f"{settings.app_id}-deltas-changelog"
    latest = {m.key(): m.value() for m in read_to_end(settings.bootstrap, topic)}
    deltas = [json.loads(value) for value in latest.values() if value]
    return {op[1] for delta in deltas for op in delta["ops"] if op[0] == "e"}


def assert_nothing_committed_unapplied(settings: Settings) -> tuple[int, set[str]]:
    """Every event before the committed offsets is in the changelog; returns the number of
    records committed and the persisted event ids."""
    offsets = committed(settings)
    before = [
        m.value()
        for m in read_to_end(settings.bootstrap, settings.topic_interactions)
        if (m.offset() or 0) < offsets[m.partition() or 0]
    ]
    persisted = persisted_events(settings)
    ids = {e["event_id"] for e in decoded_events(settings, (v for v in before if v != GARBAGE))}
    assert ids <= persisted, f"{len(ids - persisted)} committed events are not persisted"
    return len(before), persisted


def exit_code(worker: WorkerProcess, timeout: float) -> int:
    """The worker's exit code, once it has exited within ``timeout`` seconds."""
    assert worker.process is not None
    try:
        return worker.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"worker still running:\n{worker.log_tail()}") from None


def set_dlq_limit(settings: Settings, max_message_bytes: int) -> None:
    """Set the largest record the broker accepts on the DLQ topic."""
    admin = AdminClient({"bootstrap.servers": settings.bootstrap})
    resource = ConfigResource(
        ConfigResource.Type.TOPIC,
        settings.topic_dlq,
        incremental_configs=[
            ConfigEntry(
                "max.message.bytes",
                str(max_message_bytes),
                incremental_operation=AlterConfigOpType.SET,
            )
        ],
    )
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(timeout=30)


def test_a_dead_letter_the_broker_refuses_fail_stops_and_a_restart_misses_nothing(
    pipeline: Settings,
) -> None:
    settings = pipeline.model_copy(update={"batch_size": 200})
    records = list(simulator().records())
    before, after = split_after_events(records, BAD_AT)
    Replay(before).run(Emitter(settings, envelopes=False))  # many records: commits before
    producer = Producer({"bootstrap.servers": settings.bootstrap, "partitioner": "murmur2_random"})
    producer.produce(settings.topic_interactions, key=b"acme", value=GARBAGE)
    assert producer.flush(30) == 0
    Replay(after).run(Emitter(settings))
    set_dlq_limit(settings, 64)  # smaller than any dead letter with its headers
    expected = expect(records, settings)

    worker = WorkerProcess(settings)
    worker.start()
    try:
        assert exit_code(worker, 120) == EXIT_FAIL_STOP
        assert "fail-stop" in worker.log_tail(200)
        done, persisted = assert_nothing_committed_unapplied(settings)
        assert 0 < done <= BAD_AT, "the fault must stop it at the bad record"
        set_dlq_limit(settings, 1_048_588)
        worker.start()
        worker.await_snapshots("acme", expected.snapshots("acme"), timeout=180)
        assert [m.value() for m in read_to_end(settings.bootstrap, settings.topic_dlq)] == [GARBAGE]
        rest = expected.processed()["acme"] - len(persisted)
        wait_for(lambda: worker.processed() >= rest, 60, f"{rest} events processed")
        assert worker.processed() == rest
    finally:
        worker.stop()


def test_sigterm_stops_a_worker_whose_batch_cannot_finish_within_15_s(
    dedicated_broker: LocalBroker, dedicated_pipeline: Settings
) -> None:
    settings = dedicated_pipeline.model_copy(update={"batch_size": 50})
    Replay(list(simulator().records())).run(Emitter(settings))
    worker = WorkerProcess(settings)
    worker.start()
    assert worker.process is not None
    try:
        wait_for(lambda: worker.processed() > 0, 60, "the worker to be processing")
        with stopped(dedicated_broker):
            time.sleep(3.0)  # the batch in hand now waits for the broker (120 s budget)
            assert worker.process.poll() is None, worker.log_tail()
            signalled = time.monotonic()
            worker.process.send_signal(signal.SIGTERM)
            assert exit_code(worker, 30) == EXIT_STOPPED
            assert time.monotonic() - signalled < STOP_SECONDS
        done, _ = assert_nothing_committed_unapplied(settings)
        assert done < EVENTS, "SIGTERM must come mid-stream"
    finally:
        worker.stop()
