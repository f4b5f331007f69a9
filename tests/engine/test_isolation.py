"""An event that raises half-way through being applied is rolled back: the runtime ends as if
the event had never been there, live and after a rebuild from its store, with its counters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest
from analytics.naive import Op
from analytics.strategies import CONFIG, TENANT, event, op_streams
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest
from support.expected import PROCESSED, counter_by

from streams.analytics.journal import Delta
from streams.engine.runtime import Runtime
from streams.metrics.counters import WorkerMetrics
from streams.model import Interaction, Person

UNHASHABLE = ["not", "hashable"]
"""A value no dict can key on: the event fails inside the windows or the request tracker,
after it changed some of the state."""


def failing_event(index: int, t_ms: int, where: str) -> Interaction:
    """An event past dedup and lateness that raises while the windows (``targets``) or the
    request tracker (``thread``) take it in, after earlier parts of it were applied."""
    if where == "targets":
        targets: list[Any] = ["p1", UNHASHABLE]
        return event(f"bad-{index}", t_ms, "p0", cast(list[str], targets), 1.0)
    bad = event(f"bad-{index}", t_ms, "p0", ["p1"], 1.0, "request")
    bad["thread_id"] = cast(str, UNHASHABLE)
    return bad


def entry(person: str, team: str | None, bot: bool) -> Person | None:
    """The directory entry of a ``dir`` op (``None`` removes the person)."""
    if team is None:
        return None
    return Person(person=person, team=team, manager=None, tenant=TENANT, bot=bot)


class Driver:
    """A runtime fed ops one at a time, persisting after the ops at ``cuts``."""

    def __init__(self) -> None:
        self.store: dict[str, Delta] = {}
        self.runtime = Runtime(CONFIG, self.store, WorkerMetrics(CollectorRegistry()))
        self.failed: list[int] = []

    def run(self, ops: Sequence[Op], cuts: set[int]) -> None:
        """Feed ``ops``, persisting after every position in ``cuts`` and at the end."""
        for position, (kind, value) in enumerate(ops):
            if kind == "dir":
                self.runtime.apply_directory([(TENANT, value[0], entry(*value))])
            else:
                self.runtime.apply_events([value], self._failed(position))
            if position in cuts:
                self.runtime.persist()
        self.runtime.persist()

    def _failed(self, position: int) -> Callable[[int, Exception], None]:
        return lambda _index, _error: self.failed.append(position)

    def processed(self) -> dict[str, float]:
        """Processed events by source."""
        exposition = generate_latest(self.runtime.metrics.registry).decode()
        return counter_by(exposition, PROCESSED, "source")


def views(runtime: Runtime) -> dict[str, Any]:
    """Everything the runtime exposes about the tenant (its counters since creation are not
    exposed, and a state rebuilt after expiry counts only what its store still holds)."""
    state = runtime.state(TENANT)
    watermark = state.windows.watermark
    return {
        "snapshots": {window: state.snapshot(window) for window in CONFIG.windows},
        "siloed": state.silo.siloed,
        "open": None if watermark is None else state.open_requests_by_age(watermark),
    }


def with_failures(ops: Sequence[Op], places: set[int], kinds: list[str]) -> list[Op]:
    """``ops`` with a failing event, timed at the newest event so far, before each place."""
    mixed: list[Op] = []
    newest = 0
    for position, op in enumerate([*ops, ("end", None)]):
        if position in places:
            kind = kinds[len(mixed) % len(kinds)]
            mixed.append(("event", failing_event(position, newest, kind)))
        if op[0] == "event":
            newest = max(newest, op[1]["occurred_at"])
        if op[0] != "end":
            mixed.append(op)
    return mixed


def is_failing(op: Op) -> bool:
    """Whether ``op`` is one of the failing events."""
    return op[0] == "event" and str(op[1]["event_id"]).startswith("bad-")


@settings(max_examples=60, deadline=None)
@given(op_streams(), st.data())
def test_failing_events_leave_the_runtime_of_the_stream_without_them(
    ops: list[Op], data: st.DataObject
) -> None:
    places = data.draw(st.sets(st.integers(0, len(ops)), min_size=1, max_size=3))
    kinds = data.draw(st.lists(st.sampled_from(["targets", "thread"]), min_size=1, max_size=3))
    cuts = data.draw(st.sets(st.integers(0, len(ops) + 3), max_size=5))
    mixed = with_failures(ops, places, kinds)
    live, clean = Driver(), Driver()
    live.run(mixed, cuts)
    clean.run([op for op in mixed if not is_failing(op)], cuts)

    assert len(live.failed) == len(places)
    assert views(live.runtime) == views(clean.runtime)
    assert live.processed() == clean.processed()
    rebuilt = Runtime(CONFIG, live.store, WorkerMetrics(CollectorRegistry()))
    assert views(rebuilt) == views(clean.runtime)


def test_by_default_the_error_is_raised_after_the_rollback() -> None:
    driver = Driver()
    good = event("good", 3_600_000, "p0", ["p1"], 1.0)
    driver.runtime.apply_events([good])
    with pytest.raises(TypeError):
        driver.runtime.apply_events([failing_event(0, 3_600_000, "targets")])
    driver.runtime.persist()
    stored = [op[1] for d in driver.store.values() for op in d["ops"] if op[0] == "e"]
    assert stored == ["good"]
