"""Silos: E-I index, partner teams, bridge concentration and silo state per team."""

from __future__ import annotations

from typing import Unpack

from grafana_foundation_sdk.builders import stat, statetimeline, table, timeseries
from grafana_foundation_sdk.models import dashboard as model

from streams.dashboards.common import (
    Layout,
    Row,
    assemble,
    merged_table,
    new_dashboard,
    panel,
    query,
    thresholds,
    value_texts,
)
from streams.dashboards.promql import HIDDEN_SILOS, TEAMS, TEAMS_IN_WINDOW, TENANT, WINDOW, selector

UID = "orgpulse-silos"
TITLE = "orgpulse / Silos"
DESCRIPTION = (
    "E-I index (-1: all pairs inside the team, +1: all outside), partner teams, "
    "bridge concentration and the silo state machine."
)
AT_RISK_EI = -0.4
"""Teams whose E-I index is below the silo exit threshold are at risk."""


def _teams(metric: str) -> str:
    """``metric`` of the selected teams in the window, one series per team."""
    return selector(metric, TENANT, WINDOW, TEAMS)


def _by_team(metric: str) -> str:
    """``metric`` of the selected teams with only the ``team`` label (the table merges on it;
    ``max`` folds a series a second worker may export during a partition handover)."""
    return f"max by (team) ({_teams(metric)})"


AT_RISK = f"{_by_team('orgpulse_team_ei_index')} < {AT_RISK_EI}"


def _at_risk(metric: str) -> str:
    """``metric`` of the at-risk teams only."""
    return f"{_by_team(metric)} and on (team) ({AT_RISK})"


def build() -> model.Dashboard:
    """The silos dashboard."""
    board = new_dashboard(UID, TITLE, DESCRIPTION, teams=TEAMS_IN_WINDOW)
    return assemble(board, _teams_row(), _organization_row())


def _teams_row() -> Row:
    """Per team: E-I index, partner teams, bridge concentration, silo state, teams at risk."""
    return Row("Teams", [*_team_series(), _siloed_panel(), _at_risk_table()])


def _team_series() -> list[timeseries.Panel]:
    """The E-I index, partner teams and bridge concentration of each selected team."""
    return [
        _per_team(
            "orgpulse_team_ei_index",
            "E-I index by team",
            "(E - I) / (E + I) of each team's pairs in the window; a team enters the "
            "siloed state at -0.6 and leaves it at -0.4.",
            unit="none",
            width=24,
            low=-1,
            high=1,
        ).thresholds(thresholds((None, "red"), (-0.6, "orange"), (AT_RISK_EI, "green"))),
        _per_team(
            "orgpulse_team_partner_teams",
            "Partner teams",
            "Distinct other teams each team exchanged pairs with in the window.",
            low=0,
        ),
        _per_team(
            "orgpulse_team_bridge_concentration",
            "Bridge concentration",
            "Largest external weight carried by one member over the team's external "
            "weight: 100% means one person is the team's only bridge.",
            unit="percentunit",
            low=0,
            high=1,
        ),
    ]


def _per_team(
    metric: str, title: str, description: str, **layout: Unpack[Layout]
) -> timeseries.Panel:
    """A series per selected team of ``metric``."""
    return panel(
        timeseries.Panel(), title, description, query(_teams(metric), "{{team}}"), **layout
    )


def _siloed_panel() -> statetimeline.Panel:
    """The silo state of the selected teams over time."""
    return panel(
        statetimeline.Panel(),
        "Siloed state",
        "The silo state machine (evaluated on the silo window, 7d by default).",
        query(selector("orgpulse_team_siloed", TENANT, TEAMS), "{{team}}"),
        width=24,
    ).mappings(value_texts({"0": ("ok", "green"), "1": ("siloed", "red")}))


def _at_risk_table() -> table.Panel:
    """The at-risk teams with their E-I index, partner teams and bridge concentration."""
    return merged_table(
        f"Teams at risk (E-I below {AT_RISK_EI})",
        "Teams whose E-I index in the window is below the silo exit threshold.",
        {"team": "Team"},
        {
            "E-I index": AT_RISK,
            "Partner teams": _at_risk("orgpulse_team_partner_teams"),
            "Bridge concentration": _at_risk("orgpulse_team_bridge_concentration"),
        },
        unit="none",
        width=24,
    )


def _organization_row() -> Row:
    """Organization-wide: hidden silos, modularity and reciprocity."""
    return Row(
        "Organization",
        [
            _hidden_silos_stat(),
            panel(
                timeseries.Panel(),
                "Hidden silos over time",
                "Communities that cut across formal teams, per window.",
                query(selector("orgpulse_org_hidden_silos", TENANT, WINDOW), "hidden silos"),
                width=6,
                low=0,
            ),
            panel(
                timeseries.Panel(),
                "Modularity and reciprocity",
                "Modularity of the formal team partition and reciprocity of the person graph.",
                query(selector("orgpulse_org_modularity", TENANT, WINDOW), "modularity"),
                query(selector("orgpulse_org_reciprocity", TENANT, WINDOW), "reciprocity"),
                unit="none",
            ),
        ],
    )


def _hidden_silos_stat() -> stat.Panel:
    """Hidden silos of the window now."""
    return panel(
        stat.Panel(),
        "Hidden silos",
        "Louvain communities of at least 5 people whose largest formal team holds "
        "less than 80% of them.",
        query(HIDDEN_SILOS),
        width=6,
    ).thresholds(thresholds((None, "green"), (1, "orange")))
