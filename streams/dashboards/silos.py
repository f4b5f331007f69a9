"""Silos: E-I index, partner teams, bridge concentration and silo state per team."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard, stat, statetimeline, table, timeseries
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from streams.dashboards.common import (
    TEAMS,
    TENANT,
    WINDOW,
    finish,
    merge_and_rename,
    new_dashboard,
    panel,
    query,
    team_variable,
    thresholds,
    value_texts,
)

UID = "orgpulse-silos"
AT_RISK_EI = -0.4
"""Teams whose E-I index is below the silo exit threshold are at risk."""
TEAM = f"{TENANT}, {WINDOW}, {TEAMS}"


def _by_team(metric: str) -> str:
    """``metric`` of the selected teams with only the ``team`` label (the table merges on it;
    ``max`` folds a series a second worker may export during a partition handover)."""
    return f"max by (team) ({metric}{{{TEAM}}})"


AT_RISK = f"{_by_team('orgpulse_team_ei_index')} < {AT_RISK_EI}"


def _at_risk(metric: str) -> str:
    """``metric`` of the at-risk teams only."""
    return f"{_by_team(metric)} and on (team) ({AT_RISK})"


def build() -> model.Dashboard:
    """The silos dashboard."""
    return finish(
        new_dashboard(
            UID,
            "orgpulse / Silos",
            "E-I index (-1: all pairs inside the team, +1: all outside), partner teams, "
            "bridge concentration and the silo state machine.",
        )
        .with_variable(team_variable(f"orgpulse_team_ei_index{{{TENANT}, {WINDOW}}}"))
        .with_row(dashboard.Row("Teams"))
        .with_panel(
            panel(
                timeseries.Panel(),
                "E-I index by team",
                "(E - I) / (E + I) of each team's pairs in the window; a team enters the "
                "siloed state at -0.6 and leaves it at -0.4.",
                query(f"orgpulse_team_ei_index{{{TEAM}}}", "{{team}}"),
                unit="none",
                width=24,
            )
            .min(-1)
            .max(1)
            .thresholds(thresholds((None, "red"), (-0.6, "orange"), (AT_RISK_EI, "green")))
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Partner teams",
                "Distinct other teams each team exchanged pairs with in the window.",
                query(f"orgpulse_team_partner_teams{{{TEAM}}}", "{{team}}"),
            ).min(0)
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Bridge concentration",
                "Largest external weight carried by one member over the team's external "
                "weight: 100% means one person is the team's only bridge.",
                query(f"orgpulse_team_bridge_concentration{{{TEAM}}}", "{{team}}"),
                unit="percentunit",
            )
            .min(0)
            .max(1)
        )
        .with_panel(
            panel(
                statetimeline.Panel(),
                "Siloed state",
                "The silo state machine (evaluated on the silo window, 7d by default).",
                query(f"orgpulse_team_siloed{{{TENANT}, {TEAMS}}}", "{{team}}"),
                width=24,
            ).mappings(value_texts({"0": ("ok", "green"), "1": ("siloed", "red")}))
        )
        .with_panel(
            panel(
                table.Panel(),
                f"Teams at risk (E-I below {AT_RISK_EI})",
                "Teams whose E-I index in the window is below the silo exit threshold.",
                query(
                    AT_RISK,
                    instant=True,
                    query_format=PromQueryFormat.TABLE,
                ),
                query(
                    _at_risk("orgpulse_team_partner_teams"),
                    instant=True,
                    query_format=PromQueryFormat.TABLE,
                ),
                query(
                    _at_risk("orgpulse_team_bridge_concentration"),
                    instant=True,
                    query_format=PromQueryFormat.TABLE,
                ),
                unit="none",
                width=24,
            ).transformations(
                merge_and_rename(
                    {
                        "team": "Team",
                        "Value #A": "E-I index",
                        "Value #B": "Partner teams",
                        "Value #C": "Bridge concentration",
                    },
                )
            )
        )
        .with_row(dashboard.Row("Organization"))
        .with_panel(
            panel(
                stat.Panel(),
                "Hidden silos",
                "Louvain communities of at least 5 people whose largest formal team holds "
                "less than 80% of them.",
                query(f"sum(orgpulse_org_hidden_silos{{{TENANT}, {WINDOW}}})"),
                width=6,
            ).thresholds(thresholds((None, "green"), (1, "orange")))
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Hidden silos over time",
                "Communities that cut across formal teams, per window.",
                query(f"orgpulse_org_hidden_silos{{{TENANT}, {WINDOW}}}", "hidden silos"),
                width=6,
            ).min(0)
        )
        .with_panel(
            panel(
                timeseries.Panel(),
                "Modularity and reciprocity",
                "Modularity of the formal team partition and reciprocity of the person graph.",
                query(f"orgpulse_org_modularity{{{TENANT}, {WINDOW}}}", "modularity"),
                query(f"orgpulse_org_reciprocity{{{TENANT}, {WINDOW}}}", "reciprocity"),
                unit="none",
            )
        )
        .build()
    )
