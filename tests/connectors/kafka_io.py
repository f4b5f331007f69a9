"""Reading topics back from the test broker, and Kafka's default partitioner, for the SDK tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from support.events import decoded_events
from support.kafka import end_offsets

from streams.model import Interaction
from streams.settings import Settings

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Read:
    """One message read back: where it was and its raw key and value bytes."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def _consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"connectors-test-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )


def read_all(bootstrap: str, topic: str) -> list[Read]:
    """Every message on ``topic`` up to its current end, ordered by partition and offset."""
    ends = end_offsets(bootstrap, topic)
    wanted = {p: end for p, end in ends.items() if end > 0}
    reads: list[Read] = []
    if not wanted:
        return reads
    consumer = _consumer(bootstrap)
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in wanted])
        done: set[int] = set()
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while len(done) < len(wanted):
            assert time.monotonic() < deadline, f"timed out reading {topic}: {len(reads)} read"
            message = consumer.poll(0.5)
            if message is None:
                continue
            assert message.error() is None, message.error()
            partition, offset = message.partition(), message.offset()
            assert partition is not None and offset is not None
            reads.append(Read(partition, offset, message.key(), message.value()))
            if offset + 1 >= wanted[partition]:
                done.add(partition)
    finally:
        consumer.close()
    return sorted(reads, key=lambda r: (r.partition, r.offset))


def murmur2(data: bytes) -> int:
    """Kafka's 32-bit murmur2 (``org.apache.kafka.common.utils.Utils.murmur2``), unsigned."""
    mask = 0xFFFFFFFF
    m, r = 0x5BD1E995, 24
    length = len(data)
    h = 0x9747B28C ^ length
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = ((h * m) & mask) ^ k
    tail = data[whole:]
    if len(tail) >= 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if len(tail) >= 1:
        h ^= tail[0]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h


def default_partition(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for a non-null ``key``."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def decoded_interactions_without(settings: Settings, raw_ids: Iterable[str]) -> list[Interaction]:
    """The interactions on the settings' topic, after checking that no raw id appears in any
    key or value of the interactions and directory topics."""
    messages = read_all(settings.bootstrap, settings.topic_interactions)
    people = read_all(settings.bootstrap, settings.topic_directory)
    for message in messages + people:
        for raw in raw_ids:
            assert raw.encode() not in (message.value or b"") + (message.key or b"")
    return decoded_events(settings, (m.value for m in messages))
