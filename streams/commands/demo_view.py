"""The demo's live terminal view: teams' E-I and silo states, throughput, dead letters."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text


def parse_metrics(text: str) -> dict[str, float]:
    """Sum the samples of each metric name in a Prometheus text exposition."""
    totals: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_and_labels, _, value = line.rpartition(" ")
        name = name_and_labels.split("{", 1)[0]
        try:
            totals[name] = totals.get(name, 0.0) + float(value)
        except ValueError:
            continue
    return totals


def _ei_style(ei: float | None) -> str:
    if ei is None:
        return "dim"
    return "bold red" if ei <= -0.6 else "yellow" if ei <= -0.4 else "green"


def render(snapshot: dict[str, Any] | None, metrics: dict[str, float], rate: float) -> Group:
    """A header line and a table of teams for one snapshot."""
    processed = metrics.get("orgpulse_events_processed_total", 0.0)
    dead = metrics.get("orgpulse_events_dead_lettered_total", 0.0)
    header = Text(f"processed {processed:,.0f} events ({rate:,.0f}/s), dead-lettered {dead:,.0f}")
    if snapshot is None:
        return Group(header, Text("waiting for the worker's first snapshot…", style="dim"))
    org = snapshot["org"]
    header.append(
        f"\n{snapshot['window']} window as of {snapshot['as_of']}: {org['people']} people, "
        f"{org['pairs']:,} pairs, modularity {org['modularity']}, reciprocity {org['reciprocity']}"
    )
    table = Table("team", "members", "E-I", "partners", "bridge", "state")
    for team, values in sorted(snapshot["teams"].items()):
        ei = values["ei_index"]
        table.add_row(
            team,
            str(values["members"]),
            Text("—" if ei is None else f"{ei:+.2f}", style=_ei_style(ei)),
            str(values["partner_teams"]),
            "—"
            if values["bridge_concentration"] is None
            else f"{values['bridge_concentration']:.2f}",
            Text("SILOED", style="bold red") if values["siloed"] else Text("ok", style="green"),
        )
    return Group(header, table, _feedback_line(snapshot), _flows(snapshot))


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def _feedback_line(snapshot: dict[str, Any]) -> Text:
    feedback = snapshot["feedback"]
    within, cross = feedback["within_team"], feedback["cross_team"]
    return Text(
        f"requests {feedback['requests']:,} (answered {feedback['answered']:,}, open "
        f"{feedback['open']:,}, unanswered {feedback['unanswered']:,}); latency p50/p90 within "
        f"team {_duration(within['p50_seconds'])}/{_duration(within['p90_seconds'])}, across "
        f"teams {_duration(cross['p50_seconds'])}/{_duration(cross['p90_seconds'])}"
    )


def _flows(snapshot: dict[str, Any], top: int = 5) -> Text:
    flows = sorted(snapshot.get("flow", []), key=lambda f: -f["weight"])[:top]
    listed = ", ".join(f"{f['src']}→{f['dst']} {f['weight']:,.0f}" for f in flows)
    return Text(f"top flows: {listed or '—'}")
