"""Hand-made scenarios: expiry, late events, broadcasts, duplicates, unassigned, small teams,
directory moves."""

from __future__ import annotations

from streams.analytics.config import AnalyticsConfig
from streams.analytics.tenant import TenantState

from .strategies import HOUR, event

CONFIG = AnalyticsConfig(
    bucket_seconds=3600, windows=("1h", "3h"), min_group_size=2, silo_window="3h", max_targets=3
)
TEAMS = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}


def state() -> TenantState:
    return TenantState("acme", CONFIG, TEAMS)


def test_buckets_leave_each_window_then_are_dropped() -> None:
    s = state()
    assert s.apply(event("1", 0, "a1", ["a2"], 1.0)).status == "applied"
    s.apply(event("2", HOUR, "b1", ["b2"], 1.0))
    assert s.snapshot("1h")["org"]["pairs"] == 1
    assert s.snapshot("3h")["org"]["pairs"] == 2
    s.apply(event("3", 3 * HOUR, "b1", ["a1"], 1.0))
    assert [i for i, _ in s.windows.buckets()] == [1, 3]
    assert s.snapshot("3h")["org"]["pairs"] == 2
    assert not s.windows.seen("1") and s.windows.seen("2")
    assert "a2" not in set(s.windows.graphs["3h"].nodes())
    s.apply(event("4", 100 * HOUR, "c1", ["a1"], 1.0))
    assert [i for i, _ in s.windows.buckets()] == [100]
    tables = s.windows.graphs["3h"].teams.tables()
    assert tables["internal"] == {}
    assert tables["partners"] == {"A": {"C": 1}, "C": {"A": 1}}


def test_late_events_are_counted_not_applied() -> None:
    s = state()
    s.apply(event("1", 10 * HOUR, "a1", ["a2"], 1.0))
    assert s.apply(event("2", 8 * HOUR, "a1", ["b1"], 1.0)).status == "applied"
    assert s.apply(event("3", 8 * HOUR - 1, "a1", ["b1"], 1.0)).status == "late"
    assert s.counters.late == 1
    assert s.snapshot("3h")["org"]["pairs"] == 2
    assert s.snapshot("1h")["org"]["pairs"] == 1


def test_broadcasts_and_duplicates_are_counted_not_applied() -> None:
    s = state()
    assert s.apply(event("1", 0, "a1", ["a2", "b1", "b2", "c1"], 1.0)).status == "broadcast"
    assert s.apply(event("1", 0, "a1", ["a2", "b1", "b2", "c1"], 1.0)).status == "duplicate"
    assert s.apply(event("2", 0, "a1", ["a2"], 1.0)).status == "applied"
    assert s.apply(event("2", 0, "a1", ["a2"], 1.0)).status == "duplicate"
    assert (s.counters.broadcast, s.counters.duplicate, s.counters.applied) == (1, 2, 1)
    assert s.snapshot("1h")["org"]["pairs"] == 1


def test_broadcast_advances_the_watermark() -> None:
    s = state()
    s.apply(event("1", 0, "a1", ["a2"], 1.0))
    s.apply(event("2", 5 * HOUR, "a1", ["a2", "b1", "b2", "c1"], 1.0))
    assert s.snapshot("3h")["org"]["pairs"] == 0
    assert s.snapshot("3h")["as_of"] == "1970-01-01T05:00:00.000Z"


def test_unassigned_is_outside_for_teams_and_one_community_for_modularity() -> None:
    s = state()
    s.apply(event("1", 0, "a1", ["x1", "x2"], 1.0))
    s.apply(event("2", 0, "x1", ["x2"], 1.0))
    s.apply(event("3", 0, "a2", ["x1"], 1.0))
    teams = s.snapshot("1h")["teams"]
    assert "unassigned" not in teams
    assert teams["A"]["external"] == 3.0 and teams["A"]["partner_teams"] == 0
    agg = s.windows.graphs["1h"].teams.tables()
    assert agg["internal"] == {"unassigned": 1_000_000}
    assert agg["flow"] == {("A", "unassigned"): 3_000_000}


def test_small_and_inactive_teams_are_omitted_but_count_for_others() -> None:
    s = state()
    s.apply(event("1", 0, "c1", ["a1"], 1.0))
    assert s.snapshot("1h")["teams"] == {}  # A has one active member, B none, C one member
    s.apply(event("2", 0, "a2", ["a3"], 1.0))
    s.apply(event("3", 0, "b1", ["b2"], 1.0))
    teams = s.snapshot("1h")["teams"]
    assert sorted(teams) == ["A", "B"]
    assert teams["A"]["partner_teams"] == 1 and teams["A"]["members"] == 3
    assert teams["A"]["external"] == 1.0


def test_directory_move_moves_contributions() -> None:
    s = state()
    s.apply(event("0", 0, "b2", ["a3"], 0.0))  # activity only: both teams stay named
    s.apply(event("1", 0, "a1", ["a2"], 1.0))
    s.apply(event("2", 0, "b1", ["a1"], 2.0))
    s.set_team("a2", "B")
    teams = s.snapshot("1h")["teams"]
    assert teams["A"]["internal"] == 0.0 and teams["A"]["external"] == 3.0
    assert teams["B"]["internal"] == 0.0 and teams["B"]["external"] == 3.0
    assert teams["A"]["bridge_concentration"] == 1.0
    assert teams["B"]["bridge_concentration"] == round(2 / 3, 9)
    s.set_team("a2", None)
    teams = s.snapshot("1h")["teams"]
    assert teams["A"]["members"] == 2 and teams["B"]["members"] == 2
    assert teams["A"]["external"] == 3.0 and teams["B"]["external"] == 2.0
    s.set_team("a3", None)
    assert "A" not in s.snapshot("1h")["teams"]
    s.set_team("a2", "A")
    teams = s.snapshot("1h")["teams"]
    assert teams["A"]["internal"] == 1.0 and teams["A"]["external"] == 2.0


def test_ei_is_null_without_pairs_and_modularity_null_on_zero_weight() -> None:
    s = state()
    s.apply(event("1", 0, "a1", ["a2"], 0.0))
    snap = s.snapshot("1h")
    assert "B" not in snap["teams"]  # no active member: not named at all
    assert snap["teams"]["A"]["ei_index"] is None
    assert snap["org"]["modularity"] is None
    assert snap["org"]["reciprocity"] == 0.0 and snap["org"]["pairs"] == 1


def test_a_watermark_jump_from_1970_to_today_keeps_only_the_new_bucket() -> None:
    s = state()
    today = 1_780_000_000_000  # 2026: about 494,000 one-hour buckets after the first event
    s.apply(event("epoch", 1, "a1", ["a2"], 1.0, "request", "t"))
    s.apply(event("today", today, "b1", ["b2"], 1.0, "request", "t"))
    assert [i for i, _ in s.windows.buckets()] == [today // HOUR]
    assert s.windows.is_late(1) and not s.windows.seen("epoch")
    assert s.snapshot("3h")["org"]["pairs"] == 1
