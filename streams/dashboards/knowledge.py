"""Knowledge flow: which teams talk to which, how fast artifacts and information cross teams."""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, common, dashboard, timeseries
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as model

from streams.dashboards.common import (
    TEAMS,
    TENANT,
    WINDOW,
    finish,
    new_dashboard,
    panel,
    query,
    team_variable,
)

UID = "orgpulse-knowledge"
TOP = 20
"""Team pairs shown in the top-pairs panels (the worker exports its own top K)."""
ARTIFACT = f"orgpulse_artifact_cross_team_seconds_bucket{{{TENANT}}}"


def _last() -> common.ReduceDataOptions:
    """Bar gauges show each series' last value."""
    return common.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def _flow(team_label: str) -> str:
    """Flows of the window whose ``team_label`` is one of the selected teams."""
    return f'orgpulse_team_flow{{{TENANT}, {WINDOW}, {team_label}=~"$team"}}'


def build() -> model.Dashboard:
    """The knowledge flow dashboard."""
    return finish(
        new_dashboard(
            UID,
            "orgpulse / Knowledge flow",
            "Weight of pairs between teams, time until shared artifacts reach another team, "
            "and how stale each team's information about the others is.",
        )
        .with_variable(team_variable(f"orgpulse_team_ei_index{{{TENANT}, {WINDOW}}}"))
        .with_row(dashboard.Row("Team to team"))
        .with_panel(
            panel(
                bargauge.Panel(),
                f"Top {TOP} team → team flows",
                "Weight of pairs from one team to another in the window, from or to the "
                "selected teams.",
                query(
                    f"topk({TOP}, {_flow('src_team')} or {_flow('dst_team')})",
                    "{{src_team}} → {{dst_team}}",
                    instant=True,
                ),
                height=12,
            )
            .orientation(common_model.VizOrientation.HORIZONTAL)
            .display_mode(common_model.BarGaugeDisplayMode.GRADIENT)
            .reduce_options(_last())
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Outgoing flow of the selected teams",
                "Weight of pairs from each selected team to each other team.",
                query(
                    f"sum by (src_team, dst_team) ({_flow('src_team')})",
                    "{{src_team}} → {{dst_team}}",
                ),
                height=12,
            ).min(0)
        )
        .with_row(dashboard.Row("Artifacts"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "Artifact cross-team time",
                "Time from an artifact's first share until it reaches another team.",
                query(
                    f"histogram_quantile(0.5, sum by (le) (rate({ARTIFACT}[$__rate_interval])))",
                    "p50",
                ),
                query(
                    f"histogram_quantile(0.9, sum by (le) (rate({ARTIFACT}[$__rate_interval])))",
                    "p90",
                ),
                unit="s",
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Artifacts reaching another team",
                "Artifacts per second whose first cross-team share was observed.",
                query(
                    "sum(rate(orgpulse_artifact_cross_team_seconds_count"
                    f"{{{TENANT}}}[$__rate_interval]))",
                    "artifacts",
                ),
                unit="ops",
            )
        )
        .with_row(dashboard.Row("Information latency"))
        .with_panel(
            panel(
                bargauge.Panel(),
                "Stalest team pairs",
                "Median age of the freshest information the selected teams have about each "
                "other team (the worker's top K stalest pairs).",
                query(
                    f"topk({TOP}, orgpulse_team_info_staleness_seconds"
                    f'{{{TENANT}, dst_team=~"$team"}})',
                    "{{dst_team}} about {{src_team}}",
                    instant=True,
                ),
                unit="s",
                height=12,
            )
            .orientation(common_model.VizOrientation.HORIZONTAL)
            .display_mode(common_model.BarGaugeDisplayMode.GRADIENT)
            .reduce_options(_last())
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Out of date by team",
                "Median over other teams of how stale a team's information about them is.",
                query(f"orgpulse_team_out_of_date_seconds{{{TENANT}, {TEAMS}}}", "{{team}}"),
                unit="s",
                height=12,
            ).min(0)
        )
        .build()
    )
