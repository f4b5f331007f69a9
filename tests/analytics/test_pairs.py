"""Accepted events, their pairs, and weight quantization."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from streams.analytics.events import AcceptedEvent, accepted_event
from streams.analytics.pairs import from_micro, to_micro

from .strategies import event


def test_pairs_drop_self_and_keep_repeated_targets() -> None:
    accepted = accepted_event(event("x", 0, "a", ["b", "a", "c", "b"], 0.5), max_targets=50)
    assert accepted == AcceptedEvent(
        "x", 0, "slack", "message", "a", ("b", "c", "b"), None, None, (), 500_000, False
    )
    assert accepted.edges() == [("a", "b"), ("a", "c"), ("a", "b")]


def test_more_than_max_targets_is_a_broadcast_and_exactly_max_is_not() -> None:
    broadcast = accepted_event(event("x", 0, "a", ["b", "c", "d"], 1.0), max_targets=2)
    assert broadcast.broadcast and broadcast.targets == ("b", "c", "d")
    assert broadcast.edges() == []
    assert not accepted_event(event("x", 0, "a", ["b", "c"], 1.0), max_targets=2).broadcast
    assert accepted_event(event("x", 0, "a", ["b"] * 3, 1.0), max_targets=2).edges() == []


def test_no_targets_or_only_self_gives_no_pairs() -> None:
    assert accepted_event(event("x", 0, "a", [], 1.0), 50).edges() == []
    assert accepted_event(event("x", 0, "a", ["a"], 1.0), 50).edges() == []


def test_quantization_is_micro_units() -> None:
    assert to_micro(1.0) == 1_000_000
    assert to_micro(1 / 3) == 333_333
    assert to_micro(0.1) + to_micro(0.2) == to_micro(0.3)
    assert from_micro(2_250_000) == 2.25


@given(st.lists(st.floats(0, 1e6, allow_nan=False), max_size=30), st.randoms())
def test_integer_sums_are_order_independent(weights: list[float], rnd: random.Random) -> None:
    micro = [to_micro(w) for w in weights]
    shuffled = list(micro)
    rnd.shuffle(shuffled)
    total = 0
    for value in micro:
        total += value
    for value in shuffled:
        total -= value
    assert total == 0
