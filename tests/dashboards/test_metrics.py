"""Every ``orgpulse_*`` metric a dashboard queries is one the worker exports."""

from __future__ import annotations

from typing import Any

from streams.dashboards.queries import panels

from .exported import exported_families, exported_names, unknown_metrics

Dashboards = dict[str, dict[str, Any]]
SUFFIXES = ("_total", "_bucket", "_count", "_sum")


def test_the_fake_data_gives_every_exported_family_samples() -> None:
    empty = [family.name for family in exported_families() if not family.samples]
    assert not empty, f"add fake data for {empty} in tests/dashboards/exported.py"


def test_exported_names_include_the_suffixed_sample_names() -> None:
    names = exported_names()
    assert {
        "orgpulse_events_processed_total",
        "orgpulse_response_latency_seconds_bucket",
        "orgpulse_graph_compute_seconds_count",
        "orgpulse_graph_compute_seconds_sum",
        "orgpulse_team_ei_index",
        "orgpulse_team_flow",
    } <= names
    assert "orgpulse_events_processed" not in names
    assert "orgpulse_team_ei_index_total" not in names


def test_unknown_metrics_are_reported() -> None:
    names = exported_names()
    assert unknown_metrics("rate(orgpulse_events_processed_total[1m])", names) == set()
    assert unknown_metrics("orgpulse_kafka_consumer_lag", names) == {"orgpulse_kafka_consumer_lag"}
    assert unknown_metrics("rate(orgpulse_events_processed[1m])", names) == {
        "orgpulse_events_processed"
    }
    assert unknown_metrics("orgpulse_team_ei_index_sum / orgpulse_team_flow", names) == {
        "orgpulse_team_ei_index_sum"
    }


def test_every_panel_query_uses_exported_metrics_only(dashboards: Dashboards) -> None:
    names = exported_names()
    unknown = {
        (stem, panel["title"], name)
        for stem, dashboard in dashboards.items()
        for panel in panels(dashboard)
        for target in panel["targets"]
        for name in unknown_metrics(target["expr"], names)
    }
    assert not unknown


def test_every_variable_query_uses_exported_metrics_only(dashboards: Dashboards) -> None:
    names = exported_names()
    for dashboard in dashboards.values():
        for variable in dashboard["templating"]["list"]:
            assert not unknown_metrics(variable["query"], names), variable["query"]


def family_of(name: str) -> str:
    """The family a sample name belongs to (``x_total`` → ``x``, ``x_bucket`` → ``x``, …)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def test_every_exported_metric_is_on_some_dashboard(dashboards: Dashboards) -> None:
    queried = {
        family_of(name)
        for dashboard in dashboards.values()
        for panel in panels(dashboard)
        for target in panel["targets"]
        for name in unknown_metrics(target["expr"], set())
    }
    assert {family.name for family in exported_families()} - queried == set()
