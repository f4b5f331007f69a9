"""A batch of many envelopes holds many seconds of work: its records are committed while it is
applied, once their effects are on the broker, so a worker killed mid-batch reads again only
the records of its last second or so, and the restarted worker still ends at the offline
snapshots; a worker left idle checkpoints its state, and its next restart replays only the
deltas after its last checkpoint."""

from __future__ import annotations

import re
import signal

from support.expected import offline_snapshots
from support.kafka import uncommitted
from support.replay import Replay
from support.worker import WorkerProcess, wait_for

from streams.agents.ingest import IDLE_CHECKPOINT_SHARE
from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import Settings
from streams.timeutil import parse_time

EVENTS = 150_000
PER_ENVELOPE = 100
RECORDS = EVENTS // PER_ENVELOPE
CHECKPOINT_EVENTS = 2 * EVENTS
SINCE_CHECKPOINT = "orgpulse_events_since_checkpoint"


def test_a_long_batch_commits_as_it_goes_and_an_idle_worker_checkpoints(
    pipeline: Settings,
) -> None:
    settings = pipeline.model_copy(
        update={
            "envelope_max_events": PER_ENVELOPE,
            "batch_size": RECORDS,  # every record in one batch of ``take_events``
            "batch_within_seconds": 30.0,
            "checkpoint_events": CHECKPOINT_EVENTS,  # never due by count: only when idle
        }
    )
    spec = OrgSpec(seed=11, events_per_hour=400.0)
    items = list(OrgSimulator(spec, EVENTS, parse_time("2025-09-01T00:00:00Z")).records())
    expected = offline_snapshots(items, settings, "acme")
    Replay(items).run(Emitter(settings))
    topic = settings.topic_interactions
    assert uncommitted(settings.bootstrap, settings.app_id, topic) == RECORDS

    worker = WorkerProcess(settings)
    worker.start()
    try:

        def committed_midway() -> bool:
            left = uncommitted(settings.bootstrap, settings.app_id, topic)
            return 0 < left < RECORDS and worker.processed() < EVENTS

        wait_for(committed_midway, 120, "records committed mid-batch")
        worker.stop(signal.SIGKILL)
        left = uncommitted(settings.bootstrap, settings.app_id, topic)
        assert 0 < left < RECORDS

        worker.start()
        worker.await_snapshots("acme", expected, timeout=120)
        replayed = re.findall(
            r"from no checkpoint \(.*\) and (\d+) deltas", worker.log_path.read_text()
        )
        # Once every event is applied, an idle worker checkpoints until fewer events than
        # its idle share are left uncovered (it may also have checkpointed while it waited
        # for its first batch): those are what the next restart replays from deltas.
        wait_for(
            lambda: worker.metrics()[SINCE_CHECKPOINT] < IDLE_CHECKPOINT_SHARE * CHECKPOINT_EVENTS,
            60,
            "an idle checkpoint",
        )
        wait_for(
            lambda: uncommitted(settings.bootstrap, settings.app_id, topic) == 0,
            60,
            "every record committed before the kill",
        )
        uncovered = worker.metrics()[SINCE_CHECKPOINT]
        assert "checkpoints of 1 tenants confirmed" in worker.log_path.read_text()
        worker.stop(signal.SIGKILL)
        worker.start()
        worker.await_snapshots("acme", expected, timeout=120)
        log = worker.log_path.read_text()
        rebuilt = re.findall(r"rebuilt a tenant from a checkpoint \(.*\) and (\d+) deltas", log)
        assert len(replayed) == 1 and len(rebuilt) == 1, (replayed, rebuilt)
        assert int(replayed[0]) > 0
        assert worker.metrics()[SINCE_CHECKPOINT] == uncovered  # the same events replayed
        assert worker.processed() == 0
    finally:
        worker.stop()
