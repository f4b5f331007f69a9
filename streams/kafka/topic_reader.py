"""Reading a whole topic, from the beginning to its current end, without a consumer group."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition


def read_to_end(bootstrap: str, topic: str, timeout: float = 30.0) -> Iterator[Message]:
    """Every message of ``topic`` up to the end it has when called, by partition and offset."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "enable.auto.commit": False,
            "group.id": f"orgpulse-reader-{uuid.uuid4().hex[:8]}",
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=timeout).topics[topic]
        if metadata.error is not None:
            raise LookupError(f"topic {topic}: {metadata.error}")
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)[1]
            for p in metadata.partitions
        }
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
