"""The rule files: promtool checks and unit tests, conventions, and the metric contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from support.prometheus import promtool

from streams.local.prometheus import binary
from streams.metrics.collector import SnapshotCollector
from streams.metrics.counters import WorkerMetrics
from streams.settings import Settings

from .rules_doc import (
    COMPOSE_CONFIG,
    RECORDED_NAME,
    RULE_TESTS,
    RULES,
    RULES_DIR,
    alerts,
    load,
    metric_names_used,
    recorded,
    rules,
)

ALERTS = {
    "OrgpulseTeamSiloed",
    "OrgpulseFragileBridge",
    "OrgpulseCrossTeamLatencyHigh",
    "OrgpulseRequestsAgingUnanswered",
    "OrgpulseDeadLetterRateHigh",
    "OrgpulseWorkerDown",
    "OrgpulseEventsStale",
}
RUNBOOK = "https://github.com/orgpulse/orgpulse/blob/main/README.md#runbook-"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


class EmptySource:
    """A worker runtime with nothing computed yet: the collector still declares its families."""

    def __init__(self) -> None:
        self.snapshots: dict[str, dict[str, dict[str, Any]]] = {}
        self.hidden_silos: dict[str, dict[str, int]] = {}
        self.open_requests: dict[str, dict[tuple[str, str], int]] = {}
        self.knowledge: dict[str, dict[str, Any]] = {}

    def watermarks(self) -> dict[str, int]:
        """No tenant yet."""
        return {}

    def checkpoint_lags(self) -> dict[str, int]:
        """No tenant yet."""
        return {}


def declared_series_names() -> set[str]:
    """Series names a worker's registry can expose, built like ``streams.app`` builds it."""
    settings = Settings()
    registry = CollectorRegistry()
    WorkerMetrics(registry)
    registry.register(SnapshotCollector(EmptySource(), settings.silo_window, settings.top_k))
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules())} rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = promtool("test", "rules", RULE_TESTS.name, cwd=RULES_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_compose_config_is_valid_and_scrapes_the_worker(tmp_path: Path) -> None:
    config = load(COMPOSE_CONFIG)
    assert [(COMPOSE_CONFIG.parent / path).resolve() for path in config["rule_files"]] == [RULES]
    [job] = config["scrape_configs"]
    assert job["job_name"] == "orgpulse"
    assert job["static_configs"] == [{"targets": [f"worker:{Settings().web_port}"]}]
    # promtool opens the credentials file: check a copy whose token file exists here
    token = tmp_path / "prometheus_token"
    token.write_text("a-metrics-token\n")
    job["authorization"]["credentials_file"] = str(token)
    config["rule_files"] = [str(RULES)]
    checked = tmp_path / "prometheus.yml"
    checked.write_text(json.dumps(config))
    result = promtool("check", "config", checked)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alerts_follow_the_conventions() -> None:
    found = alerts()
    assert set(found) == ALERTS
    for name, rule in found.items():
        assert rule.get("for"), name
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, name
        assert rule["labels"]["category"] in {"org", "pipeline"}, name
        annotations = rule["annotations"]
        assert {"summary", "description", "runbook_url"} <= set(annotations), name
        assert annotations["runbook_url"] == RUNBOOK + name.lower()
    assert found["OrgpulseTeamSiloed"]["for"] == "1m"


def test_recording_rules_follow_level_metric_operation_naming() -> None:
    names = recorded()
    assert {
        "orgpulse:response_latency_seconds:p50",
        "orgpulse:response_latency_seconds:p90",
        "orgpulse:artifact_cross_team_seconds:p50",
    } <= set(names)
    for name in names:
        assert name.count(":") == 2 and name.startswith("orgpulse:"), name


def test_every_recorded_name_an_alert_reads_is_recorded() -> None:
    used = {name for rule in rules() for name in RECORDED_NAME.findall(rule["expr"])}
    assert used and used <= set(recorded())


def test_every_metric_the_rules_read_is_one_the_worker_exports() -> None:
    used = metric_names_used()
    assert len(used) >= 8
    missing = used - declared_series_names()
    assert not missing, f"rules read metrics the worker does not export: {sorted(missing)}"


def unit_tests() -> list[dict[str, Any]]:
    tests: list[dict[str, Any]] = load(RULE_TESTS)["tests"]
    return tests


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_each_alert_is_unit_tested_firing_and_not_firing(name: str) -> None:
    cases = [
        case
        for test in unit_tests()
        for case in test.get("alert_rule_test", [])
        if case["alertname"] == name
    ]
    assert any(case["exp_alerts"] for case in cases), f"{name} never shown firing"
    assert any(not case["exp_alerts"] for case in cases), f"{name} never shown quiet"


def test_each_recording_rule_value_is_unit_tested() -> None:
    exprs = [case["expr"] for test in unit_tests() for case in test.get("promql_expr_test", [])]
    for name in recorded():
        assert any(name in expr for expr in exprs), name


def test_a_missing_binary_fails_with_the_install_hint() -> None:
    with pytest.raises(FileNotFoundError, match="make system-deps"):
        binary("orgpulse-no-such-prometheus")
