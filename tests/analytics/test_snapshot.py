"""Snapshot JSON shape (DESIGN §5)."""

from __future__ import annotations

import json

from streams.analytics.feedback.stats import FeedbackStats, ScopeStats
from streams.analytics.snapshot import feedback_section, iso_utc
from streams.analytics.tenant import TenantState
from streams.model import UNASSIGNED

from .strategies import CONFIG, TENANT, event

TEAM_KEYS = {
    "members",
    "internal",
    "external",
    "ei_index",
    "partner_teams",
    "bridge_concentration",
    "single_bridge",
    "siloed",
}


def test_snapshot_has_the_contract_shape_and_is_json() -> None:
    state = TenantState(TENANT, CONFIG, {"a": "A", "b": "A", "c": "B", "d": "B"})
    state.apply(event("1", 1_000_123_456_789, "a", ["b", "c", "d"], 1 / 3))
    snap = state.snapshot("6h")
    assert list(snap) == ["tenant", "window", "as_of", "org", "teams", "flow", "feedback"]
    assert (snap["tenant"], snap["window"]) == (TENANT, "6h")
    assert snap["as_of"] == "2001-09-10T12:04:16.789Z"
    assert set(snap["org"]) == {"people", "pairs", "modularity", "reciprocity"}
    assert all(set(entry) == TEAM_KEYS for entry in snap["teams"].values())
    assert snap["teams"]["A"]["internal"] == 0.333333
    assert snap["teams"]["B"]["ei_index"] == 1.0
    assert json.loads(json.dumps(snap)) == snap


def test_empty_feedback_section() -> None:
    section = feedback_section(FeedbackStats())
    scope = {"answered": 0, "p50_seconds": None, "p90_seconds": None}
    assert section == {
        "requests": 0,
        "answered": 0,
        "unanswered": 0,
        "open": 0,
        "p50_seconds": None,
        "p90_seconds": None,
        "within_team": scope,
        "cross_team": scope,
    }


def test_feedback_stats_are_rendered() -> None:
    stats = FeedbackStats(
        requests=3,
        answered=2,
        unanswered=1,
        open=0,
        p50_seconds=1 / 3,
        p90_seconds=7.0,
        within_team=ScopeStats(1, 2.0, 2.0),
        cross_team=ScopeStats(1, 7.0, 7.0),
    )
    section = feedback_section(stats)
    assert section["p50_seconds"] == 0.333333333
    assert section["within_team"] == {"answered": 1, "p50_seconds": 2.0, "p90_seconds": 2.0}


def test_iso_utc() -> None:
    assert iso_utc(None) is None
    assert iso_utc(0) == "1970-01-01T00:00:00.000Z"
    assert iso_utc(-1) == "1969-12-31T23:59:59.999Z"


def test_flow_lists_only_teams_reported_by_name_and_single_bridges() -> None:
    teams = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C", "u1": UNASSIGNED}
    state = TenantState(TENANT, CONFIG, teams)
    state.apply(event("1", 0, "a1", ["b1", "c1", "u1"], 3.5))
    state.apply(event("2", 1, "b2", ["a2"], 1.0))
    state.apply(event("3", 2, "b1", ["a1"], 0.5))
    snap = state.snapshot("2h")
    assert snap["flow"] == [
        {"src": "A", "dst": "B", "weight": 3.5},
        {"src": "B", "dst": "A", "weight": 1.5},
    ]
    assert snap["teams"]["A"]["bridge_concentration"] == 0.916666667
    assert snap["teams"]["A"]["single_bridge"] is True
    assert snap["teams"]["B"]["bridge_concentration"] == 0.8
    assert snap["teams"]["B"]["single_bridge"] is True
    state.apply(event("4", 3, "b2", ["a2"], 0.1))
    assert state.snapshot("2h")["teams"]["B"]["single_bridge"] is False
