"""Records the worker was not handed: a gap in the offsets of one partition's batches.

Within one assignment a worker is handed each partition's records in offset order, one
after the other, from the group's committed offset on. Offsets may legitimately be missing
from the log (transaction markers of a transactional producer, records removed by
compaction), so a gap is first checked against the broker: when the log holds a record
inside it, the consumer skipped records it had fetched, and the worker fail-stops before the
batch is processed or acked, so a restart reads them again from the committed offsets
instead of losing them for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from faust.types import EventT

from streams.kafka.group_offsets import committed_offsets, first_offset_from

Partition = tuple[str, int]
"""A topic and partition."""


class SkippedRecords(RuntimeError):
    """The log holds records the consumer never handed to the worker."""


@dataclass(frozen=True)
class Gap:
    """Offsets ``start`` up to ``end`` (exclusive) of a partition were not handed over."""

    topic: str
    partition: int
    start: int
    end: int


@dataclass
class Continuity:
    """The next offset expected on each partition since the last assignment."""

    expected: dict[Partition, int] = field(default_factory=dict)

    def gaps(self, offsets: Iterable[tuple[str, int, int]]) -> list[Gap]:
        """The gaps before the ``(topic, partition, offset)`` records of a batch, in order,
        and expect the offsets after them (an offset below the expected one, a record
        handed again, is no gap)."""
        found = []
        for topic, partition, offset in offsets:
            expected = self.expected.get((topic, partition))
            if expected is not None and offset > expected:
                found.append(Gap(topic, partition, expected, offset))
            self.expected[(topic, partition)] = max(offset + 1, expected or 0)
        return found

    def unseen(self, partitions: Iterable[Partition]) -> set[Partition]:
        """Those of ``partitions`` without an expected offset (none handed since the last
        assignment)."""
        return {partition for partition in partitions if partition not in self.expected}

    def start_at(self, offsets: Mapping[Partition, int]) -> None:
        """Expect the first records of these partitions at these offsets (the committed ones:
        where a new assignment starts reading)."""
        self.expected.update(offsets)

    def reset(self) -> None:
        """Forget the expected offsets (partitions were assigned or revoked)."""
        self.expected.clear()


FirstOffset = Callable[[str, int, int], int | None]
"""``(topic, partition, offset)`` → offset of the first record at or after it, if any."""


Committed = Callable[[str, list[int]], dict[int, int]]
"""``(topic, partitions)`` → the offsets the worker's group has committed on them."""


@dataclass
class DeliveryGuard:
    """Checks every batch for records the worker was not handed (built once per worker).

    ``first_offset`` and ``committed`` ask the broker; :attr:`continuity` holds the offsets
    expected next, forgotten with :meth:`reset` when partitions are assigned or revoked.
    """

    first_offset: FirstOffset
    committed: Committed
    continuity: Continuity = field(default_factory=Continuity)

    @classmethod
    def on_broker(cls, bootstrap: str, group: str, timeout: float) -> DeliveryGuard:
        """A guard asking the broker at ``bootstrap`` (committed offsets of ``group``;
        ``timeout`` for a read of a partition)."""
        return cls(
            partial(first_offset_from, bootstrap, timeout=timeout),
            partial(committed_offsets, bootstrap, group),
        )

    def reset(self) -> None:
        """Forget the expected offsets (partitions were assigned or revoked)."""
        self.continuity.reset()

    async def check(self, events: Sequence[EventT[Any]]) -> None:
        """Raise :class:`SkippedRecords` when the log holds a record inside a gap before one
        of ``events`` (the first records of an assignment are expected at the committed
        offsets); gaps without records (transaction markers, compaction) are accepted."""
        continuity = self.continuity
        positions = [(e.message.topic, e.message.partition, e.message.offset) for e in events]
        loop = asyncio.get_running_loop()
        unseen = continuity.unseen((topic, partition) for topic, partition, _ in positions)
        for topic in {topic for topic, _ in unseen}:
            partitions = sorted(partition for t, partition in unseen if t == topic)
            offsets = await loop.run_in_executor(None, self.committed, topic, partitions)
            continuity.start_at({(topic, p): offsets[p] for p in partitions})
        for gap in continuity.gaps(positions):
            first = await loop.run_in_executor(
                None, self.first_offset, gap.topic, gap.partition, gap.start
            )
            if first is not None and first < gap.end:
                raise SkippedRecords(
                    f"{gap.topic}/{gap.partition}: the record at offset {first} was fetched "
                    f"but not handed to the worker (next handed: {gap.end})"
                )
