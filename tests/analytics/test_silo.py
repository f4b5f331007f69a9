"""Silo hysteresis, alert records, and event-time driven evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from streams.analytics.config import AnalyticsConfig
from streams.analytics.silos.silo import SiloTracker, Transition, build_alert
from streams.analytics.tenant import TenantState

from .strategies import HOUR, event


def feed(tracker: SiloTracker, values: Sequence[float | None]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for n, value in enumerate(values):
        found += [(t.status, n) for t in tracker.evaluate({"T": value}, n)]
    return found


def test_enters_after_three_consecutive_and_leaves_at_exit() -> None:
    tracker = SiloTracker(-0.6, -0.4, 3)
    values = [-0.7, -0.6, -0.9, -0.5, -0.41, -0.7, -0.4, -0.9]
    assert feed(tracker, values) == [("firing", 2), ("resolved", 6)]


def test_streak_is_reset_by_a_value_above_enter_or_an_absent_ei() -> None:
    tracker = SiloTracker(-0.6, -0.4, 3)
    values = [-0.7, -0.7, -0.59, -0.7, -0.7, None, -0.7, -0.7, -0.7]
    assert feed(tracker, values) == [("firing", 8)]


def test_absent_ei_does_not_resolve() -> None:
    tracker = SiloTracker(-0.6, -0.4, 1)
    assert feed(tracker, [-1.0, None, None, -0.5, -0.3]) == [("firing", 0), ("resolved", 4)]


def test_team_no_longer_tracked_resolves_with_last_value() -> None:
    tracker = SiloTracker(-0.6, -0.4, 1)
    tracker.evaluate({"T": -0.8, "U": 0.0}, 1)
    assert tracker.evaluate({"U": 0.0}, 2) == [Transition("T", "resolved", -0.8, 2)]
    assert tracker.siloed == set() and "T" not in tracker.streak


def test_alert_is_deterministic() -> None:
    transition = Transition("T", "firing", -0.75, 1_000)
    alert = build_alert("acme", "7d", transition)
    assert alert == build_alert("acme", "7d", transition)
    assert alert["kind"] == "team_siloed" and alert["status"] == "firing"
    assert alert["value"] == -0.75 and alert["as_of"] == 1_000 and alert["window"] == "7d"
    other = build_alert("acme", "7d", transition._replace(status="resolved"))
    assert other["alert_id"] != alert["alert_id"]
    assert len(alert["alert_id"]) == 32


def test_evaluation_happens_when_the_watermark_enters_a_new_bucket() -> None:
    config = AnalyticsConfig(
        bucket_seconds=3600,
        windows=("2h",),
        silo_window="2h",
        min_group_size=2,
        silo_consecutive=2,
    )
    state = TenantState("acme", config, {"a": "A", "b": "A", "c": "B", "d": "B"})
    assert state.apply(event("1", 0, "a", ["b"], 1.0)).transitions == ()
    assert state.apply(event("2", 10, "c", ["d"], 1.0)).transitions == ()
    assert state.apply(event("3", HOUR, "a", ["c"], 0.1)).transitions == ()
    fired = state.apply(event("4", 2 * HOUR + 5, "a", ["c"], 0.1)).transitions
    assert [(t.team, t.status, t.as_of) for t in fired] == [
        ("A", "firing", HOUR),
        ("B", "firing", HOUR),
    ]
    # b and d active again in this window, so both teams stay named (README "Privacy")
    assert state.apply(event("4b", 2 * HOUR + 5, "b", ["d"], 0.1)).transitions == ()
    assert state.snapshot("2h")["teams"]["A"]["siloed"] is True
    resolved = state.apply(event("5", 3 * HOUR, "a", ["b"], 1.0)).transitions
    assert [(t.team, t.status, t.value) for t in resolved] == [
        ("A", "resolved", 1.0),
        ("B", "resolved", 1.0),
    ]
