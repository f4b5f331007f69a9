"""Reads the compacted ``directory`` topic to its end, like a global table.

Every worker reads all partitions from the beginning at start and catches up to the end
before each batch of interactions, so directory entries produced before an interaction are
always applied before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from streams.kafka.codec import CodecError, person_codec
from streams.model import Person
from streams.settings import Settings

log = logging.getLogger(__name__)

ASSIGNMENT_REFRESH_SECONDS = 30.0
"""How often to look for new partitions of the directory topic."""

DirectoryUpdate = tuple[str, str, Person | None]
"""(tenant, person, entry or None for a removal)."""


class DirectoryReader:
    """Incrementally reads the directory topic; :meth:`catch_up` returns new updates."""

    def __init__(self, settings: Settings) -> None:
        self._topic = settings.topic_directory
        self._codec = person_codec(settings)
        config = {
            "bootstrap.servers": settings.bootstrap,
            "group.id": f"{settings.app_id}-directory-reader",
            "enable.auto.commit": False,
        }
        self._consumer = Consumer(config)
        # end offsets come from a consumer without assignment: on the fetching one they would
        # wait behind its fetch long-polls (up to fetch.wait.max.ms each)
        self._offsets = Consumer(config)
        self._positions: dict[int, int] = {}
        self._assigned_at = -ASSIGNMENT_REFRESH_SECONDS
        self._unreturned: list[DirectoryUpdate] = []
        """Updates read by a call that then failed; the next call returns them first."""
        self.rejected = 0

    def _assign(self, timeout: float) -> None:
        if time.monotonic() - self._assigned_at < ASSIGNMENT_REFRESH_SECONDS:
            return
        topic = self._consumer.list_topics(self._topic, timeout=timeout).topics[self._topic]
        if topic.error is not None:
            raise KafkaException(topic.error)
        self._assigned_at = time.monotonic()
        new = [p for p in topic.partitions if p not in self._positions]
        if new:
            for partition in new:
                self._positions[partition] = 0
            self._consumer.assign(
                [
                    TopicPartition(self._topic, p, self._positions[p] or OFFSET_BEGINNING)
                    for p in self._positions
                ]
            )

    def catch_up(self, timeout: float = 10.0) -> list[DirectoryUpdate]:
        """Every update written since the last call, up to the current end of each partition.

        Raises ``KafkaException`` or ``TimeoutError`` while the broker is unreachable; the
        updates read before the failure are returned by the next successful call.
        """
        self._assign(timeout)
        ends = {
            p: self._offsets.get_watermark_offsets(TopicPartition(self._topic, p), timeout=timeout)[
                1
            ]
            for p in self._positions
        }
        updates = self._unreturned
        deadline = time.monotonic() + timeout
        while any(self._positions[p] < end for p, end in ends.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"directory topic {self._topic} not read to its end in time")
            for message in self._consumer.consume(1000, timeout=0.2):
                if message.error():
                    log.warning("directory read error: %s", message.error())
                    continue
                self._positions[message.partition() or 0] = (message.offset() or 0) + 1
                updates.extend(self._update(message.key(), message.value()))
            for position in self._consumer.position(self._partitions()):
                if position.offset >= 0:
                    self._positions[position.partition] = position.offset
        self._unreturned = []
        return updates

    def _partitions(self) -> list[TopicPartition]:
        return [TopicPartition(self._topic, p) for p in self._positions]

    def _update(self, key: bytes | None, value: bytes | None) -> Iterator[DirectoryUpdate]:
        tenant, _, person = (key or b"").decode(errors="replace").partition("/")
        if value is None:
            if tenant and person:
                yield tenant, person, None
            return
        try:
            entry = self._codec.decode(value)
        except CodecError as error:
            self.rejected += 1
            log.warning("directory entry rejected: %s", error.reason)
            return
        yield entry["tenant"], entry["person"], entry

    def close(self) -> None:
        """Release the consumers."""
        self._consumer.close()
        self._offsets.close()
