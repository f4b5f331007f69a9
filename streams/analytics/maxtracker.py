"""Maximum of a keyed multiset of integers under increments and decrements."""

from __future__ import annotations

import heapq


class MaxTracker:
    """Per-key integer values with an amortized O(log n) update and O(1) amortized maximum.

    A lazy max-heap: every update pushes an entry, stale entries are discarded when they
    reach the top, and the heap is rebuilt when it grows past twice the live keys.
    """

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._heap: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return len(self._values)

    def add(self, key: str, delta: int) -> None:
        """Add ``delta`` to ``key``'s value; a value of 0 removes the key."""
        value = self._values.get(key, 0) + delta
        if value:
            self._values[key] = value
            heapq.heappush(self._heap, (-value, key))
        else:
            self._values.pop(key, None)
        if len(self._heap) > 2 * len(self._values) + 32:
            self._heap = [(-v, k) for k, v in self._values.items()]
            heapq.heapify(self._heap)

    def max(self) -> int:
        """The largest value, 0 when empty."""
        heap = self._heap
        while heap and self._values.get(heap[0][1]) != -heap[0][0]:
            heapq.heappop(heap)
        return -heap[0][0] if heap else 0
