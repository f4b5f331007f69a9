"""Lazy-heap maximum against max() of a plain dict."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from streams.analytics.maxtracker import MaxTracker

updates = st.lists(st.tuples(st.sampled_from("abcde"), st.integers(-5, 9)), max_size=200)


@given(updates)
def test_max_matches_plain_dict(ops: list[tuple[str, int]]) -> None:
    tracker, plain = MaxTracker(), dict[str, int]()
    for key, delta in ops:
        tracker.add(key, delta)
        plain[key] = plain.get(key, 0) + delta
        live = {k: v for k, v in plain.items() if v}
        assert tracker.max() == max(live.values(), default=0)
        assert len(tracker) == len(live)


def test_heap_is_compacted() -> None:
    tracker = MaxTracker()
    for n in range(10_000):
        tracker.add("a", 1 if n % 2 == 0 else -1)
    assert len(tracker._heap) <= 40
