"""Random streams: every window's feedback section equals the brute-force reference."""

from __future__ import annotations

from hypothesis import given, settings

from streams.analytics.tenant import TenantState

from . import feedback_ref
from .naive import Op
from .strategies import CONFIG, TENANT, op_streams, run

SPANS = CONFIG.spans()
PARAMS = feedback_ref.Params(
    bucket_ms=CONFIG.bucket_ms,
    largest=max(SPANS.values()),
    horizon_ms=CONFIG.response_horizon_seconds * 1000,
    grace_ms=CONFIG.response_grace_seconds * 1000,
    bots=frozenset(CONFIG.bots),
)


@settings(max_examples=400, deadline=None)
@given(ops=op_streams(max_ops=80))
def test_feedback_section_of_every_window_matches_the_reference(ops: list[Op]) -> None:
    state, _ = run(ops)
    stream = feedback_ref.accept(ops, PARAMS)
    for window, span in SPANS.items():
        actual = state.snapshot(window)["feedback"]
        if stream.watermark is None:
            assert actual["requests"] == 0
            continue
        assert actual == feedback_ref.section(stream, span, PARAMS), window


@settings(max_examples=200, deadline=None)
@given(ops=op_streams(max_ops=80))
def test_live_facts_count_each_request_once(ops: list[Op]) -> None:
    state = run([op for op in ops if op[0] == "dir"])[0]
    opened = answered = unanswered = 0
    for kind, value in ops:
        if kind == "event":
            facts = state.apply(value).feedback
            opened += len(facts.opened)
            answered += len(facts.answered)
            unanswered += len(facts.unanswered)
    stream = feedback_ref.accept(ops, PARAMS)
    requests = [a for a in stream.accepted if a.event["kind"] == "request"]
    assert opened == len(requests)
    still_open = sum(state.open_requests_by_age(stream.watermark or 0).values())
    assert answered + unanswered + still_open == opened


@settings(max_examples=150, deadline=None)
@given(ops=op_streams(max_ops=60))
def test_feedback_read_after_every_op_matches_the_reference(ops: list[Op]) -> None:
    """Bucket summaries kept between reads follow new requests, new best responses,
    directory moves (scopes are read with the directory now) and the passing horizon."""
    state = TenantState(TENANT, CONFIG)
    for done, (kind, value) in enumerate(ops, start=1):
        if kind == "dir":
            state.set_team(*value)
        else:
            state.apply(value)
        stream = feedback_ref.accept(ops[:done], PARAMS)
        if stream.watermark is None:
            continue
        for window, span in SPANS.items():
            expected = feedback_ref.section(stream, span, PARAMS)
            assert state.snapshot(window)["feedback"] == expected, (done, window)
