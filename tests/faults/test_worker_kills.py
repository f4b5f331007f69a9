"""A worker SIGKILLed at random points of a replay and restarted ends where an uninterrupted
run ends: every window's snapshot equals the offline analysis, no event lost or counted twice,
whether it restarts by replaying every delta or from checkpoints and the deltas after them, as
a dynamic group member (rejoins after its killed self's session timeout) or a static one
(takes its partitions back at once)."""

from __future__ import annotations

import random
import signal

import pytest
from support.expected import offline_snapshots
from support.kafka import uncommitted
from support.replay import Replay
from support.worker import WorkerProcess, wait_for

from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import Settings
from streams.timeutil import parse_time

EVENTS = 30_000
KILLS = 3
SEED = 20_260_701


def simulator() -> OrgSimulator:
    """About 12 days of a simulated org: the whole stream fits in the largest (28d) window."""
    return OrgSimulator(
        OrgSpec(seed=5, events_per_hour=100.0), EVENTS, parse_time("2025-07-01T00:00:00Z")
    )


def kill_points(seed: int) -> list[int]:
    """Processed-event counts, between 10 % and 90 % of the stream, at which to kill."""
    return sorted(random.Random(seed).sample(range(EVENTS // 10, EVENTS * 9 // 10), KILLS))


def kill_after(worker: WorkerProcess, point: int, earlier: float) -> float:
    """SIGKILL the worker once ``earlier`` plus its own processed events reach ``point``;
    returns its own processed events as last read before the kill."""
    processed = [0.0]

    def reached() -> bool:
        processed[0] = worker.processed()
        return earlier + processed[0] >= point

    wait_for(reached, 180, f"{point} events processed (log {worker.log_path})")
    worker.stop(signal.SIGKILL)
    return processed[0]


@pytest.mark.parametrize(
    ("checkpoint_events", "instance_id"),
    [(None, None), (2_000, "killed-worker")],
    ids=["deltas-dynamic-member", "checkpoints-static-member"],
)
def test_three_sigkills_mid_replay_end_with_the_uninterrupted_snapshots(
    pipeline: Settings, checkpoint_events: int | None, instance_id: str | None
) -> None:
    settings = pipeline.model_copy(
        update={"batch_size": 500, "session_timeout_seconds": 6.0, "instance_id": instance_id}
    )
    if checkpoint_events is not None:  # the default is more events than the stream has
        settings = settings.model_copy(update={"checkpoint_events": checkpoint_events})
    items = list(simulator().records())
    expected = offline_snapshots(items, settings, "acme")
    assert expected["28d"]["org"]["pairs"] > EVENTS  # every event is inside the checked window
    Replay(items).run(Emitter(settings))
    worker = WorkerProcess(settings)
    worker.start()
    try:
        processed = 0.0
        for point in kill_points(SEED):
            processed += kill_after(worker, point, processed)
            left = uncommitted(settings.bootstrap, settings.app_id, settings.topic_interactions)
            assert left > 0, "every kill must happen mid-stream"
            worker.start()
        worker.await_snapshots("acme", expected, timeout=240)
        assert worker.starts - worker.fail_stops == KILLS + 1
        from_checkpoint = "rebuilt a tenant from a checkpoint" in worker.log_path.read_text()
        assert from_checkpoint == (checkpoint_events is not None)
    finally:
        worker.stop()
