"""Hand-made request/response cases: order, self-replies, bots, horizon, percentiles, ages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from streams.analytics.config import AnalyticsConfig
from streams.analytics.feedback.tracker import Answered, Opened, Unanswered
from streams.analytics.ranks import nearest_rank
from streams.analytics.tenant import Outcome, TenantState
from streams.model import Kind

from .strategies import HOUR, event

MINUTE = 60_000
CONFIG = AnalyticsConfig(
    bucket_seconds=3600,
    windows=("1h", "1d"),
    silo_window="1d",
    min_group_size=2,
    response_horizon_seconds=10 * 3600,
    response_grace_seconds=2 * 3600,
    bots=("botx",),
)
HORIZON = 10 * HOUR
TEAMS = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C"}
PEER = {"a1": "a2", "a2": "a1", "b1": "b2", "b2": "b1"}
"""Each event also targets a teammate, so both members are active and the team is named."""


def state() -> TenantState:
    return TenantState("acme", CONFIG, TEAMS)


def send(
    s: TenantState,
    event_id: str,
    t: int,
    actor: str,
    kind: Kind = "message",
    thread: str | None = None,
    reply: str | None = None,
) -> Outcome:
    targets = [PEER[actor]] if actor in PEER else []
    return s.apply(event(event_id, t, actor, targets, 1.0, kind, thread, reply))


def feedback(s: TenantState, window: str = "1d") -> dict[str, Any]:
    section: dict[str, Any] = s.snapshot(window)["feedback"]
    return section


def test_response_arriving_before_its_request_is_paired() -> None:
    s = state()
    assert send(s, "r", 10 * HOUR + 10 * MINUTE, "b1", reply="q").feedback.answered == ()
    facts = send(s, "q", 10 * HOUR, "a1", "request").feedback
    assert facts.opened == (Opened("slack", "A"),)
    assert facts.answered == (Answered("slack", "A", "cross_team", 600.0),)
    f = feedback(s)
    assert (f["requests"], f["answered"], f["open"], f["p50_seconds"]) == (1, 1, 0, 600.0)
    assert f["cross_team"] == {"answered": 1, "p50_seconds": 600.0, "p90_seconds": 600.0}


def test_later_arriving_earlier_response_replaces_the_answer_but_not_the_fact() -> None:
    s = state()
    send(s, "q", 10 * HOUR, "a1", "request", thread="t")
    first = send(s, "r1", 13 * HOUR, "b1", thread="t").feedback
    assert first.answered == (Answered("slack", "A", "cross_team", 3 * 3600.0),)
    assert send(s, "r2", 11 * HOUR, "a2", reply="q").feedback.answered == ()
    f = feedback(s)
    assert (f["answered"], f["p50_seconds"]) == (1, 3600.0)
    assert f["within_team"]["answered"] == 1 and f["cross_team"]["answered"] == 0


def test_earliest_of_equal_times_is_the_smallest_responder_in_any_arrival_order() -> None:
    for order in (("b1", "a2"), ("a2", "b1")):
        s = state()
        send(s, "q", 10 * HOUR, "a1", "request", thread="t")
        for n, actor in enumerate(order):
            send(s, f"r{n}", 11 * HOUR, actor, thread="t")
        assert feedback(s)["within_team"]["answered"] == 1


def test_responses_before_the_request_time_or_in_other_threads_do_not_count() -> None:
    s = state()
    send(s, "early", 10 * HOUR - 1, "b1", thread="t")
    send(s, "q", 10 * HOUR, "a1", "request", thread="t")
    send(s, "other", 10 * HOUR + 1, "b1", thread="u", reply="x")
    assert feedback(s)["open"] == 1


def test_self_replies_never_count() -> None:
    s = state()
    send(s, "q", 10 * HOUR, "a1", "request", thread="t")
    send(s, "self1", 10 * HOUR + MINUTE, "a1", thread="t")
    send(s, "self2", 10 * HOUR + MINUTE, "a1", reply="q")
    assert (feedback(s)["answered"], feedback(s)["open"]) == (0, 1)
    send(s, "r", 11 * HOUR, "b2", reply="q")
    assert feedback(s)["p50_seconds"] == 3600.0


def test_configured_and_directory_bots_never_answer() -> None:
    s = state()
    s.set_team("botd", "B", bot=True)
    send(s, "q", 10 * HOUR, "a1", "request", thread="t")
    send(s, "r1", 10 * HOUR + MINUTE, "botx", thread="t")
    send(s, "r2", 10 * HOUR + MINUTE, "botd", reply="q")
    assert feedback(s)["answered"] == 0
    s.set_team("botd", "B")
    send(s, "r3", 10 * HOUR + 2 * MINUTE, "botd", reply="q")
    assert feedback(s)["p50_seconds"] == 120.0


def test_request_past_the_horizon_is_unanswered_even_if_answered_later() -> None:
    s = state()
    send(s, "q", 0, "a1", "request", thread="t")
    assert send(s, "x", HORIZON, "c1").feedback.unanswered == ()
    assert (feedback(s)["open"], feedback(s)["unanswered"]) == (1, 0)
    facts = send(s, "y", HORIZON + 1, "c1").feedback
    assert facts.unanswered == (Unanswered("slack", "A"),)
    assert (feedback(s)["open"], feedback(s)["unanswered"]) == (0, 1)
    assert send(s, "late", HORIZON + 1, "b1", reply="q").feedback == facts._replace(unanswered=())
    assert feedback(s)["unanswered"] == 1


def test_in_horizon_response_arriving_after_the_deadline_corrects_only_the_snapshot() -> None:
    s = state()
    send(s, "q", 0, "a1", "request")
    assert len(send(s, "y", HORIZON + HOUR, "c1").feedback.unanswered) == 1
    assert send(s, "r", HORIZON, "b1", reply="q").feedback.answered == ()
    f = feedback(s)
    assert (f["answered"], f["unanswered"], f["p50_seconds"]) == (1, 0, 36_000.0)


def test_held_responses_expire_after_the_grace_period() -> None:
    s = state()
    send(s, "r", 10 * HOUR + 30 * MINUTE, "b1", thread="t")
    send(s, "x", 12 * HOUR + 31 * MINUTE, "c1")
    send(s, "q", 10 * HOUR, "a1", "request", thread="t")
    assert feedback(s)["answered"] == 0
    s = state()
    send(s, "r", 10 * HOUR + 30 * MINUTE, "b1", thread="t")
    send(s, "x", 12 * HOUR + 30 * MINUTE, "c1")
    send(s, "q", 10 * HOUR, "a1", "request", thread="t")
    assert feedback(s)["answered"] == 1


def test_nearest_rank_percentiles() -> None:
    assert nearest_rank([], 1, 2) is None
    assert nearest_rank([7.0], 9, 10) == 7.0
    values = [float(v) for v in range(1, 11)]
    assert (nearest_rank(values, 1, 2), nearest_rank(values, 9, 10)) == (5.0, 9.0)
    assert (nearest_rank([10.0, 20.0, 30.0], 1, 2), nearest_rank([1.0, 2.0], 9, 10)) == (
        20.0,
        2.0,
    )
    s = state()
    for n, latency in enumerate([30, 10, 20]):
        send(s, f"q{n}", 10 * HOUR, "a1", "request")
        send(s, f"r{n}", 10 * HOUR + latency * 1000, "b1", reply=f"q{n}")
    f = feedback(s)
    assert (f["p50_seconds"], f["p90_seconds"]) == (20.0, 30.0)


def test_scope_follows_the_current_directory_and_unassigned_shares_with_nobody() -> None:
    s = state()
    send(s, "q1", 10 * HOUR, "a1", "request")
    send(s, "r1", 10 * HOUR + 1000, "b1", reply="q1")
    send(s, "q2", 10 * HOUR, "u1", "request")
    send(s, "r2", 10 * HOUR + 1000, "u2", reply="q2")
    assert feedback(s)["cross_team"]["answered"] == 2
    s.set_team("b1", "A")
    assert feedback(s)["within_team"]["answered"] == 1


def test_window_statistics_count_requests_in_the_window_buckets() -> None:
    s = state()
    send(s, "q1", 10 * HOUR, "a1", "request")
    send(s, "q2", 11 * HOUR, "a1", "request")
    assert (feedback(s, "1h")["requests"], feedback(s)["requests"]) == (1, 2)


def test_open_requests_by_age_band_and_team_label() -> None:
    s = TenantState("acme", replace(CONFIG, response_horizon_seconds=2 * 86400), TEAMS)
    now = 100 * HOUR
    send(s, "q1", now - 30 * MINUTE, "a1", "request")
    send(s, "q2", now - 2 * HOUR, "a2", "request")
    send(s, "q3", now - 2 * HOUR, "c1", "request")
    send(s, "q4", now - 3 * HOUR, "u1", "request")
    send(s, "q5", now - 3 * HOUR, "a1", "request")
    send(s, "r5", now, "b1", reply="q5")
    assert s.open_requests_by_age(now) == {
        ("A", "lt_1h"): 1,
        ("A", "1h_24h"): 1,
        ("other", "1h_24h"): 2,
    }
    assert s.open_requests_by_age(now + 23 * HOUR) == {
        ("A", "1h_24h"): 1,
        ("A", "gt_24h"): 1,
        ("other", "gt_24h"): 2,
    }
    horizon_reached = {("A", "gt_24h"): 2, ("other", "gt_24h"): 1}
    assert s.open_requests_by_age(now + 46 * HOUR) == horizon_reached
    assert s.open_requests_by_age(now + 47 * HOUR) == {("A", "gt_24h"): 1}


def test_state_stays_bounded_when_event_time_moves_far_ahead() -> None:
    s = state()
    sizes = []
    for hour in range(2_000):
        t = hour * HOUR
        send(s, f"q{hour}", t, "a1", "request", thread=f"t{hour}")
        send(s, f"m{hour}", t + MINUTE, "b1", thread=f"t{hour - 1}", reply=f"q{hour + 1}")
        tracker = s.feedback
        sizes.append((len(tracker.requests), len(tracker.by_bucket), len(tracker.held())))
    for part in range(3):
        assert max(size[part] for size in sizes[1000:]) <= max(size[part] for size in sizes[:100])
    assert max(size[0] for size in sizes) <= 25
    f = feedback(s)
    assert (f["requests"], f["answered"], f["open"], f["p50_seconds"]) == (24, 23, 1, 3660.0)


def test_a_pickled_tracker_reads_the_same_statistics_without_its_bucket_summaries() -> None:
    s = state()
    send(s, "q1", 0, "a1", "request", thread="t1")
    send(s, "r1", 3 * MINUTE, "b1", "reply", reply="q1")
    send(s, "q2", HOUR + MINUTE, "b2", "request")
    before = feedback(s)  # summaries of both buckets are kept
    pickled = s.feedback.__getstate__()
    assert pickled["_summaries"] == {}
    older = {key: value for key, value in pickled.items() if key != "_summaries"}
    for loaded in (pickled, older):  # also a tracker pickled before summaries were kept
        copy = state()
        copy.feedback.__setstate__(dict(loaded))
        assert copy.feedback.window_stats(0, HOUR + MINUTE, copy.directory) == (
            s.feedback.window_stats(0, HOUR + MINUTE, s.directory)
        )
    assert before["requests"] == 2 and before["answered"] == 1
