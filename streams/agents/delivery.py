"""Records the worker was not handed: a gap in the offsets of one partition's batches.

Within one assignment a worker is handed each partition's records in offset order, one
after the other. Offsets may legitimately be missing from the log (transaction markers of a
transactional producer, records removed by compaction), so a gap is first checked against
the broker: when the log holds a record inside it, the consumer skipped records it had
fetched, and the worker fail-stops before the batch is processed or acked, so a restart
reads them again from the committed offsets instead of losing them for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from faust.types import EventT

from streams.kafka.group_offsets import first_offset_from

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

    def reset(self) -> None:
        """Forget the expected offsets (partitions were assigned or revoked: a new assignment
        starts at the committed offsets)."""
        self.expected.clear()


FirstOffset = Callable[[str, int, int], int | None]
"""``(topic, partition, offset)`` → offset of the first record at or after it, if any."""


async def check_delivery(
    continuity: Continuity, events: Sequence[EventT[Any]], first_offset: FirstOffset
) -> None:
    """Raise :class:`SkippedRecords` when the log holds a record inside a gap before one of
    ``events``; gaps without records (transaction markers, compaction) are accepted."""
    messages = (event.message for event in events)
    gaps = continuity.gaps((m.topic, m.partition, m.offset) for m in messages)
    loop = asyncio.get_running_loop()
    for gap in gaps:
        first = await loop.run_in_executor(None, first_offset, gap.topic, gap.partition, gap.start)
        if first is not None and first < gap.end:
            raise SkippedRecords(
                f"{gap.topic}/{gap.partition}: the record at offset {first} was fetched but "
                f"not handed to the worker (next handed: {gap.end})"
            )


def broker_first_offset(bootstrap: str, timeout: float) -> FirstOffset:
    """:data:`FirstOffset` read from the broker at ``bootstrap``."""
    return partial(first_offset_from, bootstrap, timeout=timeout)
