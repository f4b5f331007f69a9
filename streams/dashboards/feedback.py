"""Feedback loops: how fast requests get answered, within vs across teams, and what stays open."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common, dashboard, heatmap, table, timeseries
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from streams.dashboards.common import (
    TEAMS,
    TENANT,
    finish,
    merge_and_rename,
    new_dashboard,
    panel,
    query,
    team_variable,
)

UID = "orgpulse-feedback"
SELECTED = f"{TENANT}, {TEAMS}"
LATENCY = f"orgpulse_response_latency_seconds_bucket{{{SELECTED}}}"


def _quantile(q: float, by: str, rate_range: str = "$__rate_interval") -> str:
    """The ``q`` quantile of the response latency, grouped by the labels ``by``."""
    return f"histogram_quantile({q}, sum by (le, {by}) (rate({LATENCY}[{rate_range}])))"


def _unanswered_share(by: str, rate_range: str) -> str:
    """Requests unanswered within the horizon over requests opened, grouped by ``by``."""
    grouping = f" by ({by})" if by else ""
    return (
        f"sum{grouping} (rate(orgpulse_requests_unanswered_total{{{SELECTED}}}[{rate_range}]))"
        f" / sum{grouping} (rate(orgpulse_requests_total{{{SELECTED}}}[{rate_range}]))"
    )


def build() -> model.Dashboard:
    """The feedback loops dashboard."""
    return finish(
        new_dashboard(
            UID,
            "orgpulse / Feedback loops",
            "Time from a request to its first response (requester's team; scope within or "
            "across teams), requests still open, and requests never answered.",
        )
        .with_variable(team_variable(f"orgpulse_requests_total{{{TENANT}}}"))
        .with_row(dashboard.Row("Response latency"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "Response latency by scope",
                "p50 and p90 of the time to first response, within vs across teams.",
                query(_quantile(0.5, "scope"), "p50 {{scope}}"),
                query(_quantile(0.9, "scope"), "p90 {{scope}}"),
                unit="s",
            )
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Response latency p50 by team",
                "Median time to first response, by the requester's team.",
                query(_quantile(0.5, "team"), "{{team}}"),
                unit="s",
            )
        )
        .with_panel(
            panel(
                heatmap.Panel(),
                "Response latency distribution",
                "Responses per latency bucket (one minute to one week) over time.",
                query(
                    f"sum by (le) (increase({LATENCY}[$__rate_interval]))",
                    "{{le}}",
                    query_format=PromQueryFormat.HEATMAP,
                ),
                unit="short",
            )
            .calculate(False)
            .show_tooltip()
            .y_axis(heatmap.YAxisConfig().unit("s"))
            .cell_values(heatmap.CellValues().unit("short"))
        )
        .with_panel(
            panel(
                table.Panel(),
                "Response latency by team and scope over the window",
                "p50 and p90 over the selected window's span of wall-clock time.",
                query(
                    _quantile(0.5, "team, scope", "$window"),
                    instant=True,
                    query_format=PromQueryFormat.TABLE,
                ),
                query(
                    _quantile(0.9, "team, scope", "$window"),
                    instant=True,
                    query_format=PromQueryFormat.TABLE,
                ),
                unit="s",
            ).transformations(
                merge_and_rename(
                    {"team": "Team", "scope": "Scope", "Value #A": "p50", "Value #B": "p90"},
                )
            )
        )
        .with_row(dashboard.Row("Open and unanswered requests"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "Open requests by age",
                "Requests not answered yet and not past the response horizon, by age band.",
                query(f"sum by (age) (orgpulse_requests_open{{{SELECTED}}})", "{{age}}"),
            )
            .stacking(common.StackingConfig().mode(common_model.StackingMode.NORMAL))
            .fill_opacity(30)
            .min(0)
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Open requests by team",
                "Open requests of each requester team, all ages.",
                query(f"sum by (team) (orgpulse_requests_open{{{SELECTED}}})", "{{team}}"),
            ).min(0)
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Unanswered share",
                "Requests that got no response within the horizon over requests opened.",
                query(_unanswered_share("", "$__rate_interval"), "all teams"),
                query(_unanswered_share("team", "$__rate_interval"), "{{team}}"),
                unit="percentunit",
            )
            .min(0)
            .max(1)
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Requests per second by source",
                "Requests opened, by source tool.",
                query(
                    f"sum by (source) (rate(orgpulse_requests_total{{{SELECTED}}}"
                    "[$__rate_interval]))",
                    "{{source}}",
                ),
                unit="reqps",
            )
        )
        .build()
    )
