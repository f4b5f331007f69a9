"""Bad input on the real broker: every bad record reaches the DLQ with a reason, nothing else."""

from __future__ import annotations

from collections import Counter

from confluent_kafka import Consumer, Producer
from support.worker import WorkerProcess, wait_for

from streams.kafka.codec import interaction_codec, person_codec
from streams.model import Interaction, new_interaction
from streams.settings import Settings
from streams.timeutil import now_ms, parse_time

T0 = parse_time("2026-09-01T00:00:00Z")


def good(index: int) -> Interaction:
    return new_interaction(
        f"good-{index}",
        "acme",
        T0 + index * 60_000,
        f"p{index % 7}",
        [f"p{(index + 1) % 7}"],
        source="test",
    )


def bad_records(settings: Settings) -> list[tuple[bytes | None, str]]:
    """(value, expected reason) of malformed inputs of every kind."""
    codec = interaction_codec(settings)
    valid = codec.encode(good(10_000))
    person = person_codec(settings).encode(
        {"person": "p1", "team": "t", "manager": None, "tenant": "acme", "bot": False}
    )
    return [
        (b"garbage \x00\xff bytes", "bad_magic"),
        (b"", "empty"),
        (None, "empty"),
        (valid[:-7], "truncated"),
        (valid + b"\x00", "trailing_bytes"),
        (person, "unknown_schema"),
        (codec.encode({**good(10_001), "actor": ""}), "missing_field"),
        (codec.encode({**good(10_002), "event_id": " "}), "missing_field"),
        (codec.encode({**good(10_003), "occurred_at": now_ms() + 86_400_000}), "future_timestamp"),
        (
            codec.encode({**good(10_004), "targets": [f"x{i}" for i in range(10_000)]}),
            "too_many_targets",
        ),
        (codec.encode({**good(10_005), "weight": -1.0}), "bad_weight"),
    ]


def read_dlq(settings: Settings, count: int) -> list[tuple[bytes | None, dict[str, bytes]]]:
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap,
            "group.id": "dlq-reader",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([settings.topic_dlq])
    records: list[tuple[bytes | None, dict[str, bytes]]] = []

    def more() -> bool:
        for message in consumer.consume(100, timeout=0.5):
            if message.error() is None:
                raw = message.headers() or []
                pairs = raw.items() if isinstance(raw, dict) else raw
                headers = {k: v for k, v in pairs if isinstance(v, bytes)}
                records.append((message.value(), headers))
        return len(records) >= count

    try:
        wait_for(more, 60, f"{count} records in the DLQ")
    finally:
        consumer.close()
    return records


def test_every_bad_record_is_dead_lettered_and_every_good_one_counted(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    codec = interaction_codec(pipeline)
    bad = bad_records(pipeline)
    producer = Producer({"bootstrap.servers": pipeline.bootstrap, "partitioner": "murmur2_random"})
    goods = 0
    for index, (value, _reason) in enumerate(bad):
        for _ in range(5):
            producer.produce(
                pipeline.topic_interactions, key=b"acme", value=codec.encode(good(goods))
            )
            goods += 1
        producer.produce(
            pipeline.topic_interactions,
            key=b"acme",
            value=value,
            headers={"case": str(index).encode()},
        )
    producer.flush(30)

    dead = read_dlq(pipeline, len(bad))
    assert len(dead) == len(bad)
    for (value, expected), (dead_value, headers) in zip(bad, dead, strict=True):
        assert headers["reason"].decode() == expected
        assert (dead_value or b"") == (value or b"")
        assert headers["source-topic"].decode() == pipeline.topic_interactions
        assert int(headers["source-offset"]) >= 0
        assert headers["stage"] in (b"decode", b"validate")
    worker.wait_counted(goods + len(bad))
    metrics = worker.get("/metrics").decode()
    for reason, count in Counter(reason for _, reason in bad).items():
        assert f'orgpulse_events_dead_lettered_total{{reason="{reason}"}} {float(count)}' in metrics
    assert worker.metrics()["orgpulse_events_processed_total"] == goods
    assert worker.snapshot("acme", "7d")["org"]["pairs"] > 0
    assert worker.process is not None and worker.process.poll() is None
