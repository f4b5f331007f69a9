"""Pacing an iterator to a target rate."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def paced(items: Iterable[T], rate: float) -> Iterator[T]:
    """Yield ``items`` at about ``rate`` per second (``rate <= 0``: as fast as possible)."""
    if rate <= 0:
        yield from items
        return
    started = time.monotonic()
    for count, item in enumerate(items):
        ahead = count / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
        yield item
