"""The offsets a worker is handed: gaps are found per partition, a gap holding a record stops
the worker, one without records (transaction markers, compaction) does not."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
from faust.types import EventT

from streams.agents.delivery import Continuity, Gap, SkippedRecords, check_delivery


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


def test_a_gap_holding_a_record_stops_the_worker_one_without_does_not() -> None:
    continuity = Continuity()
    batch = events(("t", 0, 0), ("t", 0, 1), ("t", 0, 3), ("t", 0, 4))
    asyncio.run(check_delivery(continuity, batch, log_without(2)))  # offset 2: a marker
    later = events(("t", 0, 5), ("t", 0, 7))
    with pytest.raises(SkippedRecords, match="offset 6"):
        asyncio.run(check_delivery(continuity, later, log_without(2)))
