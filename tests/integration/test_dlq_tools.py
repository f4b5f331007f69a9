"""``orgpulse dlq show|replay`` on the real broker: summaries, and replay exactly once."""

from __future__ import annotations

import os
import subprocess
import sys

from confluent_kafka import Producer
from support.kafka import REPO
from support.worker import WorkerProcess

from streams.kafka.codec import interaction_codec
from streams.kafka.dlq import dead_letters, replay, summarize
from streams.kafka.topic_reader import read_to_end
from streams.model import new_interaction
from streams.settings import Settings
from streams.timeutil import parse_time

T0 = parse_time("2026-09-01T00:00:00Z")


def dead_letter(settings: Settings, count: int, reason: str, first: int) -> list[bytes]:
    """Put ``count`` valid records in the DLQ as a worker would, with ``reason``."""
    codec = interaction_codec(settings)
    producer = Producer({"bootstrap.servers": settings.bootstrap})
    values = []
    for index in range(first, first + count):
        value = codec.encode(new_interaction(f"e{index}", "acme", T0 + index * 1000, "a", ["b"]))
        values.append(value)
        producer.produce(
            settings.topic_dlq,
            key=b"acme",
            value=value,
            headers={"reason": reason.encode(), "stage": b"validate"},
        )
    producer.flush(30)
    return values


def test_show_summarizes_by_reason(pipeline: Settings) -> None:
    dead_letter(pipeline, 4, "future_timestamp", 0)
    dead_letter(pipeline, 2, "unknown_schema", 4)
    summary = summarize(dead_letters(pipeline), samples=1)
    assert summary.total == 6
    assert summary.reasons == {"future_timestamp": 4, "unknown_schema": 2}
    assert all(len(s) == 1 for s in summary.samples.values())
    shown = subprocess.run(
        [sys.executable, "-m", "streams", "dlq", "show"],
        cwd=REPO,
        env={**os.environ, **pipeline.to_env()},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "6 records" in shown.stdout and "future_timestamp" in shown.stdout


def test_replay_is_idempotent_and_filters_by_reason(pipeline: Settings) -> None:
    late = dead_letter(pipeline, 5, "future_timestamp", 0)
    unknown = dead_letter(pipeline, 3, "unknown_schema", 5)
    assert replay(pipeline, {"unknown_schema"}) == 3
    assert replay(pipeline, {"unknown_schema"}) == 0
    assert replay(pipeline) == 5
    assert replay(pipeline) == 0
    resubmitted = list(read_to_end(pipeline.bootstrap, pipeline.topic_interactions))
    assert sorted(m.value() or b"" for m in resubmitted) == sorted(late + unknown)
    assert all(dict(m.headers() or [])["replayed-from"] for m in resubmitted)

    worker = WorkerProcess(pipeline)
    worker.start()
    try:
        worker.wait_counted(8)
        assert worker.metrics()["orgpulse_events_processed_total"] == 8
    finally:
        worker.stop()
