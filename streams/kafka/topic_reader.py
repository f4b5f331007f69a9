"""Reading a topic without a consumer group: its partitions' end offsets, and every record
from the beginning to its current end."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition


def throwaway_consumer(bootstrap: str, purpose: str, **config: Any) -> Consumer:
    """A consumer in a group of its own, ``orgpulse-<purpose>-<random>``, that never commits
    (it assigns partitions itself, or reads offsets only); ``config`` adds librdkafka
    settings."""
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"orgpulse-{purpose}-{uuid.uuid4().hex[:12]}",
            "enable.auto.commit": False,
            **config,
        }
    )


def partition_ends(consumer: Consumer, topic: str, timeout: float) -> dict[int, int]:
    """High watermark of every partition of ``topic``; raises :class:`LookupError` when the
    broker does not know the topic."""
    metadata = consumer.list_topics(topic, timeout=timeout).topics[topic]
    if metadata.error is not None:
        raise LookupError(f"topic {topic}: {metadata.error}")
    return {
        p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)[1]
        for p in metadata.partitions
    }


def read_to_end(bootstrap: str, topic: str, timeout: float = 30.0) -> Iterator[Message]:
    """Every message of ``topic`` up to the end it has when called, by partition and offset."""
    consumer = throwaway_consumer(bootstrap, "reader")
    try:
        ends = partition_ends(consumer, topic, timeout)
        pending = {p for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in pending])
        deadline = time.monotonic() + timeout
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {topic} not read to its end within {timeout} s")
            for message in consumer.consume(500, timeout=0.5):
                partition, offset = message.partition(), message.offset()
                if message.error() is not None or partition not in pending or offset is None:
                    continue
                yield message
                if offset + 1 >= ends[partition]:
                    pending.discard(partition)
    finally:
        consumer.close()
