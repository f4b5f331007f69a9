"""Keep periodic jobs (snapshot refresh, knowledge flow) to a share of the event loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Pacer:
    """Lets a periodic job run only while it takes at most ``share`` of the time.

    After a run that took ``d`` seconds the job is due again ``d / share`` seconds after that
    run started: a refresh that grows with the organization (or the machine's load) runs less
    often instead of starving the ingest agent, and a cheap one runs on every timer tick.
    """

    def __init__(self, share: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        self.share = share
        self._clock = clock
        self._next = float("-inf")

    def due(self) -> bool:
        """Whether the job may run now."""
        return self._clock() >= self._next

    @contextmanager
    def run(self) -> Iterator[None]:
        """Time one run of the job and schedule the earliest next one."""
        started = self._clock()
        try:
            yield
        finally:
            self._next = started + (self._clock() - started) / self.share
