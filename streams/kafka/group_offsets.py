"""How far a consumer group has read a topic: its end offsets, the offsets the group has
committed, the records between them, and where the first record at or after an offset is
(all read without joining the group)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from streams.kafka.topic_reader import partition_ends, throwaway_consumer

TIMEOUT_SECONDS = 30.0


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """High watermark of every partition of ``topic``."""
    consumer = throwaway_consumer(bootstrap, "ends")
    try:
        return partition_ends(consumer, topic, TIMEOUT_SECONDS)
    finally:
        consumer.close()


COORDINATOR_MOVING = frozenset(
    {
        KafkaError.NOT_COORDINATOR,
        KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
        KafkaError.COORDINATOR_NOT_AVAILABLE,
    }
)
"""Errors of a group coordinator that is still moving or loading, which librdkafka does not
flag retriable when reading committed offsets."""


def committed_offsets(
    bootstrap: str, group: str, topic: str, partitions: Iterable[int]
) -> dict[int, int]:
    """The offsets ``group`` has committed on ``topic`` (0 where none), retrying for up to
    :data:`TIMEOUT_SECONDS` while the group coordinator moves or loads (after a broker
    restart)."""
    config = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        consumer = Consumer(config)  # never subscribes: reads the group's offsets, does not join
        try:
            wanted = [TopicPartition(topic, partition) for partition in partitions]
            found = consumer.committed(wanted, timeout=TIMEOUT_SECONDS)
            return {tp.partition: max(tp.offset, 0) for tp in found}
        except KafkaException as error:
            kafka_error = error.args[0]
            moving = kafka_error.retriable() or kafka_error.code() in COORDINATOR_MOVING
            if not moving or time.monotonic() > deadline:
                raise
        finally:
            consumer.close()
        time.sleep(0.5)


def uncommitted(bootstrap: str, group: str, topic: str) -> int:
    """How many records of ``topic`` lie beyond the offsets ``group`` has committed."""
    ends = end_offsets(bootstrap, topic)
    committed = committed_offsets(bootstrap, group, topic, ends)
    return sum(end - committed[partition] for partition, end in ends.items())


def first_offset_from(
    bootstrap: str, topic: str, partition: int, offset: int, timeout: float = TIMEOUT_SECONDS
) -> int | None:
    """Offset of the first record of ``topic``/``partition`` at or after ``offset`` (``None``
    when there is none up to the end of the partition): offsets without a record, such as
    transaction markers, are skipped."""
    consumer = throwaway_consumer(bootstrap, "probe", **{"enable.partition.eof": True})
    try:
        consumer.assign([TopicPartition(topic, partition, offset)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = consumer.poll(max(0.0, min(1.0, deadline - time.monotonic())))
            if message is None:
                continue
            error = message.error()
            found = message.offset()
            if error is None and found is not None:
                return found
            if error is not None and error.code() == KafkaError._PARTITION_EOF:
                return None
            if error is not None:
                raise KafkaException(error)
        raise TimeoutError(f"{topic}/{partition}@{offset} not read within {timeout} s")
    finally:
        consumer.close()
