"""The pacer keeps a periodic job to its share of the time, on a fake clock."""

from __future__ import annotations

import pytest

from streams.agents.pacing import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_slow_run_defers_the_next_one_by_its_cost_over_the_share() -> None:
    clock = FakeClock()
    pacer = Pacer(0.1, clock)
    assert pacer.due()
    with pacer.run():
        clock.now += 0.5
    assert not pacer.due()
    clock.now = 100.0 + 4.99
    assert not pacer.due()
    clock.now = 100.0 + 5.0
    assert pacer.due()


def test_a_cheap_job_is_due_on_every_tick() -> None:
    clock = FakeClock()
    pacer = Pacer(0.1, clock)
    for _ in range(5):
        assert pacer.due()
        with pacer.run():
            clock.now += 0.01
        clock.now += 2.0


def test_a_failing_run_is_paced_too() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, clock)
    with pytest.raises(RuntimeError), pacer.run():
        clock.now += 1.0
        raise RuntimeError("refresh failed")
    clock.now = 101.5
    assert not pacer.due()


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5])
def test_share_must_be_a_fraction(share: float) -> None:
    with pytest.raises(ValueError):
        Pacer(share)
