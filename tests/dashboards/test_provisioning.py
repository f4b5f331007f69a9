"""The provisioning files give Grafana the datasource the panels use and load the dashboards."""

from __future__ import annotations

from typing import Any

import yaml

from streams.dashboards.common import DATASOURCE_UID
from streams.dashboards.queries import panels

from .files import PROVISIONING

Dashboards = dict[str, dict[str, Any]]


def load(relative: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((PROVISIONING / relative).read_text())
    return document


def test_the_datasource_is_prometheus_with_the_uid_the_panels_use(dashboards: Dashboards) -> None:
    document = load("datasources/prometheus.yml")
    assert document["apiVersion"] == 1
    [datasource] = document["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert datasource["uid"] == DATASOURCE_UID
    used = {
        target["datasource"]["uid"]
        for dashboard in dashboards.values()
        for panel in panels(dashboard)
        for target in panel["targets"]
    }
    assert used == {datasource["uid"]}


def test_the_dashboard_provider_loads_files_into_the_orgpulse_folder() -> None:
    document = load("dashboards/orgpulse.yml")
    assert document["apiVersion"] == 1
    [provider] = document["providers"]
    assert provider["type"] == "file"
    assert provider["folder"] == "orgpulse"
    assert provider["options"]["path"].startswith("/")
    assert provider["allowUiUpdates"] is False
