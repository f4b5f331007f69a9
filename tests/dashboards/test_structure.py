"""Every dashboard has a fixed uid, the tenant and window variables, and only queries the
provisioned Prometheus datasource."""

from __future__ import annotations

from typing import Any

from streams.dashboards.common import DATASOURCE_UID
from streams.dashboards.queries import panels

Dashboards = dict[str, dict[str, Any]]

UIDS = {
    "overview": "orgpulse-overview",
    "silos": "orgpulse-silos",
    "feedback-loops": "orgpulse-feedback",
    "knowledge-flow": "orgpulse-knowledge",
    "pipeline-health": "orgpulse-pipeline",
}
"""Links and bookmarks use these: changing one breaks them."""
DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_UID}


def variables(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {variable["name"]: variable for variable in dashboard["templating"]["list"]}


def test_every_dashboard_has_its_fixed_unique_uid(dashboards: Dashboards) -> None:
    assert {stem: dashboard["uid"] for stem, dashboard in dashboards.items()} == UIDS
    assert len(set(UIDS.values())) == len(UIDS)


def test_titles_are_unique(dashboards: Dashboards) -> None:
    titles = [dashboard["title"] for dashboard in dashboards.values()]
    assert len(set(titles)) == len(titles)


def test_every_dashboard_has_tenant_and_window_variables(dashboards: Dashboards) -> None:
    for stem, dashboard in dashboards.items():
        found = variables(dashboard)
        assert {"tenant", "window"} <= set(found), stem
        assert found["tenant"]["query"].startswith("label_values(orgpulse_"), stem
        assert found["tenant"]["query"].endswith(", tenant)"), stem
        assert found["window"]["query"].startswith("label_values(orgpulse_"), stem
        assert '{tenant="$tenant"}, window)' in found["window"]["query"], stem
        assert found["window"]["current"]["value"] == "7d", stem


def test_team_variables_allow_all_as_a_regex(dashboards: Dashboards) -> None:
    with_team = [dashboard for dashboard in dashboards.values() if "team" in variables(dashboard)]
    assert len(with_team) == 3
    for dashboard in with_team:
        team = variables(dashboard)["team"]
        assert team["multi"] and team["includeAll"] and team["allValue"] == ".*"
        assert team["query"].endswith(", team)")


def test_variables_query_the_fixed_datasource(dashboards: Dashboards) -> None:
    for dashboard in dashboards.values():
        for variable in dashboard["templating"]["list"]:
            assert variable["datasource"] == DATASOURCE, variable["name"]


def test_every_panel_and_target_uses_the_fixed_datasource(dashboards: Dashboards) -> None:
    for stem, dashboard in dashboards.items():
        for panel in panels(dashboard):
            assert panel["datasource"] == DATASOURCE, (stem, panel["title"])
            assert panel["targets"], (stem, panel["title"])
            for target in panel["targets"]:
                assert target["datasource"] == DATASOURCE, (stem, panel["title"])


def test_panels_have_unique_ids_titles_and_ref_ids(dashboards: Dashboards) -> None:
    for stem, dashboard in dashboards.items():
        ids = [item["id"] for item in dashboard["panels"]]
        assert ids == list(range(1, len(ids) + 1)), stem
        titles = [panel["title"] for panel in panels(dashboard)]
        assert len(set(titles)) == len(titles), stem
        for panel in panels(dashboard):
            ref_ids = [target["refId"] for target in panel["targets"]]
            assert ref_ids == [chr(ord("A") + index) for index in range(len(ref_ids))]


def test_panels_fit_the_grid_without_overlapping(dashboards: Dashboards) -> None:
    for stem, dashboard in dashboards.items():
        cells: set[tuple[int, int]] = set()
        for item in dashboard["panels"]:
            grid = item["gridPos"]
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, (stem, item["title"])
            area = {
                (x, y)
                for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])
            }
            assert not cells & area, (stem, item["title"])
            cells |= area


def test_panels_have_a_description_and_unit(dashboards: Dashboards) -> None:
    for stem, dashboard in dashboards.items():
        for panel in panels(dashboard):
            assert panel["description"], (stem, panel["title"])
            assert panel["fieldConfig"]["defaults"]["unit"], (stem, panel["title"])


def test_latency_and_lag_panels_are_in_seconds(dashboards: Dashboards) -> None:
    for dashboard in dashboards.values():
        for panel in panels(dashboard):
            exprs = " ".join(target["expr"] for target in panel["targets"])
            timed = "_seconds" in exprs and "histogram_quantile" in exprs
            if timed or "orgpulse_event_time_lag_seconds" in exprs:
                assert panel["fieldConfig"]["defaults"]["unit"] == "s", panel["title"]


def test_pipeline_health_shows_worker_up(dashboards: Dashboards) -> None:
    exprs = [t["expr"] for panel in panels(dashboards["pipeline-health"]) for t in panel["targets"]]
    assert 'up{job="orgpulse"}' in exprs
