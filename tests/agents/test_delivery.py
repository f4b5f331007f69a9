"""The offsets a worker is handed: gaps are found per partition, from the committed offsets
on, a gap holding a record stops the worker, one without records (transaction markers,
compaction) does not."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
from faust.types import EventT

from streams.agents.delivery import Continuity, DeliveryGuard, Gap, SkippedRecords


def events(*offsets: tuple[str, int, int]) -> list[EventT[Any]]:
    """Stand-ins of Faust events with just the message positions the check reads."""
    messages = (SimpleNamespace(topic=t, partition=p, offset=o) for t, p, o in offsets)
    return [cast(EventT[Any], SimpleNamespace(message=m)) for m in messages]


def test_gaps_are_found_per_partition_and_across_batches() -> None:
    continuity = Continuity()
    assert continuity.gaps([("t", 0, 5), ("t", 0, 6), ("t", 1, 0), ("t", 1, 2)]) == [
        Gap("t", 1, 1, 2)
    ]
    assert continuity.gaps([("t", 0, 9), ("u", 0, 3), ("t", 1, 3)]) == [Gap("t", 0, 7, 9)]
    assert continuity.gaps([("t", 0, 4), ("t", 0, 10)]) == []  # handed again: no gap
    continuity.reset()
    assert continuity.gaps([("t", 0, 50)]) == []  # a new assignment starts anywhere


def log_without(*missing: int) -> Any:
    """A partition log holding every offset but ``missing``: the first record at or after
    an offset, as the broker answers."""

    def first(topic: str, partition: int, offset: int) -> int | None:
        while offset in missing:
            offset += 1
        return offset

    return first


class CommittedAt:
    """The group's committed offsets, as the broker answers (0 where none), and which
    partitions were asked for."""

    def __init__(self, offsets: dict[tuple[str, int], int]) -> None:
        self.offsets = offsets
        self.asked: list[tuple[str, list[int]]] = []

    def __call__(self, topic: str, partitions: list[int]) -> dict[int, int]:
        self.asked.append((topic, partitions))
        return {partition: self.offsets.get((topic, partition), 0) for partition in partitions}


def test_a_gap_holding_a_record_stops_the_worker_one_without_does_not() -> None:
    nothing_committed = CommittedAt({})
    guard = DeliveryGuard(log_without(2), nothing_committed)
    asyncio.run(guard.check(events(("t", 0, 0), ("t", 0, 1), ("t", 0, 3), ("t", 0, 4))))
    with pytest.raises(SkippedRecords, match="offset 6"):
        asyncio.run(guard.check(events(("t", 0, 5), ("t", 0, 7))))
    assert nothing_committed.asked == [("t", [0])]  # once per partition and assignment
    guard.reset()  # a new assignment: the committed offsets are asked again
    asyncio.run(guard.check(events(("t", 0, 0))))
    assert nothing_committed.asked == [("t", [0]), ("t", [0])]


def test_the_first_records_of_an_assignment_are_expected_at_the_committed_offsets() -> None:
    committed = CommittedAt({("t", 0): 8, ("t", 1): 20})
    first = events(("t", 1, 20), ("t", 0, 8), ("t", 0, 9))
    asyncio.run(DeliveryGuard(log_without(), committed).check(first))
    with pytest.raises(SkippedRecords, match="t/0: the record at offset 8 "):
        asyncio.run(DeliveryGuard(log_without(), committed).check(events(("t", 0, 9))))
    markers = events(("t", 0, 10), ("t", 1, 20))  # offsets 8 and 9: markers
    asyncio.run(DeliveryGuard(log_without(8, 9), committed).check(markers))
    assert committed.asked == [("t", [0, 1]), ("t", [0]), ("t", [0, 1])]
