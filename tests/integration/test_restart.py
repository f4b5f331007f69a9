"""A worker killed mid-stream and restarted ends with the snapshot of an uninterrupted run."""

from __future__ import annotations

import signal

from support.worker import WorkerProcess, wait_for

from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.offline import analyze
from streams.settings import Settings
from streams.timeutil import parse_time

EVENTS = 40_000


def simulator() -> OrgSimulator:
    return OrgSimulator(
        OrgSpec(seed=5, events_per_hour=30.0), EVENTS, parse_time("2026-07-01T00:00:00Z")
    )


def test_sigkill_mid_stream_then_restart_gives_the_uninterrupted_snapshot(
    pipeline: Settings,
) -> None:
    settings = pipeline.model_copy(update={"batch_size": 500})
    result = analyze(simulator().records(), settings)
    expected = {w: result.runtime.state("acme").snapshot(w) for w in settings.windows}
    simulator().run(Emitter(settings))
    worker = WorkerProcess(settings)
    worker.start()
    try:
        wait_for(
            lambda: worker.metrics().get("orgpulse_events_processed_total", 0) >= 8_000,
            120,
            "a part of the stream processed",
        )
        processed_before = worker.metrics()["orgpulse_events_processed_total"]
        assert processed_before < EVENTS, "the kill must happen mid-stream"
        worker.stop(signal.SIGKILL)
        worker.start()

        try:
            wait_for(
                lambda: worker.snapshots_equal("acme", expected),
                180,
                "the restarted worker to reach the uninterrupted snapshot",
            )
        except TimeoutError:
            for window, snapshot in expected.items():
                assert worker.snapshot("acme", window) == snapshot
            raise
        after = worker.metrics()
        redelivered = after.get("orgpulse_events_duplicate_total", 0.0)
        assert after["orgpulse_events_processed_total"] + processed_before + redelivered >= EVENTS
    finally:
        worker.stop()
