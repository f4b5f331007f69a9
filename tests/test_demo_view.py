"""The demo's terminal view renders a snapshot and reads the Prometheus exposition."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from streams.commands.demo_view import parse_metrics, render


def snapshot() -> dict[str, Any]:
    team = {
        "members": 9,
        "internal": 90.0,
        "external": 10.0,
        "ei_index": -0.8,
        "partner_teams": 1,
        "bridge_concentration": 1.0,
        "siloed": True,
    }
    open_team = {**team, "ei_index": 0.25, "siloed": False}
    scope = {"answered": 3, "p50_seconds": 600.0, "p90_seconds": 7200.0}
    return {
        "tenant": "acme",
        "window": "7d",
        "as_of": "2026-09-01T00:00:00.000Z",
        "org": {"people": 18, "pairs": 200, "modularity": 0.4, "reciprocity": 0.5},
        "teams": {"inward": team, "open": open_team},
        "feedback": {
            "requests": 7,
            "answered": 6,
            "unanswered": 1,
            "open": 0,
            "p50_seconds": 600.0,
            "p90_seconds": 7200.0,
            "within_team": scope,
            "cross_team": {**scope, "p50_seconds": None, "p90_seconds": None},
        },
        "flow": [
            {"src": "inward", "dst": "open", "weight": 5.0},
            {"src": "open", "dst": "inward", "weight": 12.0},
        ],
    }


def text_of(snap: dict[str, Any] | None) -> str:
    console = Console(width=140, record=True)
    console.print(render(snap, {"orgpulse_events_processed_total": 1234.0}, 56.0))
    return console.export_text()


def test_teams_silo_states_latency_and_flows_are_shown() -> None:
    text = text_of(snapshot())
    assert "processed 1,234 events (56/s)" in text
    inward = next(line for line in text.splitlines() if "inward" in line and "│" in line)
    assert "SILOED" in inward and "-0.80" in inward
    assert "+0.25" in text and "ok" in text
    assert "within team 10 min/2.0 h" in text and "across teams —/—" in text
    assert text.index("open→inward 12") < text.index("inward→open 5")


def test_waiting_message_before_the_first_snapshot() -> None:
    assert "waiting for the worker" in text_of(None)


def test_parse_metrics_sums_series_and_skips_comments() -> None:
    exposition = (
        "# HELP x counter\n# TYPE x counter\n"
        'x_total{tenant="a"} 2.0\nx_total{tenant="b"} 3.5\ny 1e3\nbroken line NaNx\n'
    )
    assert parse_metrics(exposition) == {"x_total": 5.5, "y": 1000.0}
