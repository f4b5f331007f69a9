"""Feedback loops: how fast requests get answered, within vs across teams, and what stays open."""

from __future__ import annotations

from grafana_foundation_sdk.builders import common, heatmap, table, timeseries
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from streams.dashboards.common import Row, assemble, merged_table, new_dashboard, panel, query
from streams.dashboards.promql import TEAMS, TENANT, increase, quantile, rate, selector, sum_by

UID = "orgpulse-feedback"
TITLE = "orgpulse / Feedback loops"
DESCRIPTION = (
    "Time from a request to its first response (requester's team; scope within or "
    "across teams), requests still open, and requests never answered."
)
SELECTED = f"{TENANT}, {TEAMS}"
LATENCY = selector("orgpulse_response_latency_seconds_bucket", SELECTED)
REQUESTS = selector("orgpulse_requests_total", SELECTED)
OPEN = selector("orgpulse_requests_open", SELECTED)


def _unanswered_share(by: str) -> str:
    """Requests unanswered within the horizon over requests opened, grouped by ``by``."""
    unanswered = selector("orgpulse_requests_unanswered_total", SELECTED)
    return f"{sum_by(by, rate(unanswered))} / {sum_by(by, rate(REQUESTS))}"


def build() -> model.Dashboard:
    """The feedback loops dashboard."""
    board = new_dashboard(
        UID, TITLE, DESCRIPTION, teams=selector("orgpulse_requests_total", TENANT)
    )
    return assemble(board, _latency_row(), _requests_row())


def _latency_row() -> Row:
    """Response latency by scope and team, its distribution, and the window's table."""
    return Row(
        "Response latency",
        [
            panel(
                timeseries.Panel(),
                "Response latency by scope",
                "p50 and p90 of the time to first response, within vs across teams.",
                query(quantile(0.5, LATENCY, "scope"), "p50 {{scope}}"),
                query(quantile(0.9, LATENCY, "scope"), "p90 {{scope}}"),
                unit="s",
            ),
            panel(
                timeseries.Panel(),
                "Response latency p50 by team",
                "Median time to first response, by the requester's team.",
                query(quantile(0.5, LATENCY, "team"), "{{team}}"),
                unit="s",
            ),
            _latency_heatmap(),
            _latency_table(),
        ],
    )


def _latency_heatmap() -> heatmap.Panel:
    """Responses per latency bucket over time."""
    target = query(sum_by("le", increase(LATENCY)), "{{le}}", query_format=PromQueryFormat.HEATMAP)
    return (
        panel(
            heatmap.Panel(),
            "Response latency distribution",
            "Responses per latency bucket (one minute to one week) over time.",
            target,
            unit="short",
        )
        .calculate(False)
        .show_tooltip()
        .y_axis(heatmap.YAxisConfig().unit("s"))
        .cell_values(heatmap.CellValues().unit("short"))
    )


def _latency_table() -> table.Panel:
    """p50 and p90 by team and scope over the selected window."""
    return merged_table(
        "Response latency by team and scope over the window",
        "p50 and p90 over the selected window's span of wall-clock time.",
        {"team": "Team", "scope": "Scope"},
        {
            "p50": quantile(0.5, LATENCY, "team, scope", "$window"),
            "p90": quantile(0.9, LATENCY, "team, scope", "$window"),
        },
        unit="s",
    )


def _requests_row() -> Row:
    """Open requests by age and team, the unanswered share, and requests per source."""
    return Row(
        "Open and unanswered requests",
        [
            _open_by(
                "age",
                "Open requests by age",
                "Requests not answered yet and not past the response horizon, by age band.",
            )
            .stacking(common.StackingConfig().mode(common_model.StackingMode.NORMAL))
            .fill_opacity(30),
            _open_by(
                "team", "Open requests by team", "Open requests of each requester team, all ages."
            ),
            _unanswered_panel(),
            panel(
                timeseries.Panel(),
                "Requests per second by source",
                "Requests opened, by source tool.",
                query(sum_by("source", rate(REQUESTS)), "{{source}}"),
                unit="reqps",
            ),
        ],
    )


def _open_by(label: str, title: str, description: str) -> timeseries.Panel:
    """Open requests summed by ``label``, a series per value."""
    legend = "{{" + label + "}}"
    return panel(timeseries.Panel(), title, description, query(sum_by(label, OPEN), legend), low=0)


def _unanswered_panel() -> timeseries.Panel:
    """The unanswered share of all teams and of each team."""
    return panel(
        timeseries.Panel(),
        "Unanswered share",
        "Requests that got no response within the horizon over requests opened.",
        query(_unanswered_share(""), "all teams"),
        query(_unanswered_share("team"), "{{team}}"),
        unit="percentunit",
        low=0,
        high=1,
    )
