"""Knowledge flow: which teams talk to which, how fast artifacts and information cross teams."""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, common, timeseries
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as model

from streams.dashboards.common import Row, assemble, new_dashboard, panel, query
from streams.dashboards.promql import (
    TEAMS,
    TEAMS_IN_WINDOW,
    TENANT,
    WINDOW,
    quantile,
    rate,
    selector,
    sum_by,
)

UID = "orgpulse-knowledge"
TITLE = "orgpulse / Knowledge flow"
DESCRIPTION = (
    "Weight of pairs between teams, time until shared artifacts reach another team, "
    "and how stale each team's information about the others is."
)
TOP = 20
"""Team pairs shown in the top-pairs panels (the worker exports its own top K)."""
ARTIFACT = selector("orgpulse_artifact_cross_team_seconds_bucket", TENANT)
PAIR = "{{src_team}} → {{dst_team}}"
"""Legend of a team → team series."""


def _flow(team_label: str) -> str:
    """Flows of the window whose ``team_label`` is one of the selected teams."""
    return selector("orgpulse_team_flow", TENANT, WINDOW, f'{team_label}=~"$team"')


def _top_bars(
    title: str, description: str, expr: str, legend: str, unit: str = "short"
) -> bargauge.Panel:
    """Horizontal bars of the ``TOP`` series of ``expr`` (instant), each at its last value."""
    return (
        panel(
            bargauge.Panel(),
            title,
            description,
            query(f"topk({TOP}, {expr})", legend, instant=True),
            unit=unit,
            height=12,
        )
        .orientation(common_model.VizOrientation.HORIZONTAL)
        .display_mode(common_model.BarGaugeDisplayMode.GRADIENT)
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )


def build() -> model.Dashboard:
    """The knowledge flow dashboard."""
    board = new_dashboard(UID, TITLE, DESCRIPTION, teams=TEAMS_IN_WINDOW)
    return assemble(board, _team_to_team_row(), _artifacts_row(), _information_row())


def _team_to_team_row() -> Row:
    """The largest team → team flows and the selected teams' outgoing flow."""
    return Row(
        "Team to team",
        [
            _top_bars(
                f"Top {TOP} team → team flows",
                "Weight of pairs from one team to another in the window, from or to the "
                "selected teams.",
                f"{_flow('src_team')} or {_flow('dst_team')}",
                PAIR,
            ),
            panel(
                timeseries.Panel(),
                "Outgoing flow of the selected teams",
                "Weight of pairs from each selected team to each other team.",
                query(sum_by("src_team, dst_team", _flow("src_team")), PAIR),
                height=12,
                low=0,
            ),
        ],
    )


def _artifacts_row() -> Row:
    """How long artifacts take to reach another team, and how many do."""
    artifacts = selector("orgpulse_artifact_cross_team_seconds_count", TENANT)
    return Row(
        "Artifacts",
        [
            panel(
                timeseries.Panel(),
                "Artifact cross-team time",
                "Time from an artifact's first share until it reaches another team.",
                query(quantile(0.5, ARTIFACT), "p50"),
                query(quantile(0.9, ARTIFACT), "p90"),
                unit="s",
            ),
            panel(
                timeseries.Panel(),
                "Artifacts reaching another team",
                "Artifacts per second whose first cross-team share was observed.",
                query(f"sum({rate(artifacts)})", "artifacts"),
                unit="ops",
            ),
        ],
    )


def _information_row() -> Row:
    """The stalest team pairs and how out of date each team is."""
    staleness = selector("orgpulse_team_info_staleness_seconds", TENANT, 'dst_team=~"$team"')
    return Row(
        "Information latency",
        [
            _top_bars(
                "Stalest team pairs",
                "Median age of the freshest information the selected teams have about each "
                "other team (the worker's top K stalest pairs).",
                staleness,
                "{{dst_team}} about {{src_team}}",
                unit="s",
            ),
            panel(
                timeseries.Panel(),
                "Out of date by team",
                "Median over other teams of how stale a team's information about them is.",
                query(selector("orgpulse_team_out_of_date_seconds", TENANT, TEAMS), "{{team}}"),
                unit="s",
                height=12,
                low=0,
            ),
        ],
    )
