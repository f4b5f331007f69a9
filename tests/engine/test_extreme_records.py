"""Whatever extreme values a record holds, validation rejects it exactly when it breaks a
documented limit, and every record it accepts is applied and stored within the delta budget."""

from __future__ import annotations

import random

from analytics.strategies import CONFIG, TENANT, event
from faults.extremes import Extreme, Extremes
from faust.serializers import codecs
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from streams.analytics.journal import Delta
from streams.engine.runtime import DELTA_BUDGET_BYTES, Runtime
from streams.metrics.counters import WorkerMetrics
from streams.records.validation import InvalidRecord, validate_interaction

NOW_MS = 1_800_000_000_000
MAX_FUTURE_MS = 300_000
BASE = event("base", NOW_MS - 3_600_000, "p0", ["p1", "p2"], 1.0, "request", "t0")


def checked(extreme: Extreme) -> bool:
    """Validate the record; check the verdict of the limits; whether it was accepted."""
    try:
        validate_interaction(extreme.record, NOW_MS, MAX_FUTURE_MS)
    except InvalidRecord as error:
        assert error.reason in extreme.reasons, (error.reason, extreme.reasons)
        return False
    assert not extreme.reasons
    return True


def stored_sizes(store: dict[str, Delta]) -> list[int]:
    """Bytes of every stored delta as Faust writes it to the changelog."""
    return [len(codecs.dumps("json", delta)) for delta in store.values()]


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans())
def test_accepted_extremes_are_applied_and_fit_a_delta(rng: random.Random, timed: bool) -> None:
    extremes = Extremes(rng, NOW_MS, MAX_FUTURE_MS)
    extreme = extremes.timed(BASE) if timed else extremes.of(BASE, mutations=3)
    if not checked(extreme):
        return
    store: dict[str, Delta] = {}
    runtime = Runtime(CONFIG, store, WorkerMetrics(CollectorRegistry()))
    runtime.apply_events([{**extreme.record, "tenant": TENANT}, BASE])  # 1970, then now
    runtime.persist()
    assert runtime.state(TENANT).counters.applied + runtime.state(TENANT).counters.broadcast == 2
    assert max(stored_sizes(store)) <= DELTA_BUDGET_BYTES
