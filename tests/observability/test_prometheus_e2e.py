"""A real Prometheus scraping a real worker on the real broker, with the orgpulse rules loaded.

One pipeline for the module: Prometheus starts first (scrape and rule evaluation every second),
then the worker, then the simulated org with two planted silos is produced. The tests read
the results through Prometheus's HTTP API only, except where they compare with the worker.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from confluent_kafka import Producer
from support.kafka import TopicFactory
from support.prometheus import PrometheusProcess, Sample, finite
from support.worker import WorkerProcess, pipeline_settings, wait_for

from streams.access import kept_token, tokens_path
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.dashboards.queries import panel_queries
from streams.settings import Settings
from streams.timeutil import parse_time

from .rules_doc import metric_names_used

START = parse_time("2026-06-01T00:00:00Z")
EVENTS = 30_000
TENANT = "acme"
WINDOWS = ("1d", "7d", "28d")
MINUTE, HOUR = 60.0, 3600.0
ALERT_SECONDS = 90.0
"""Bound on the wait for the silo alert (its `for` is 1m, counted from the first 1 scraped)."""


ANOMALIES = 5


def produce_pipeline_anomalies(settings: Settings) -> None:
    """A duplicate (of a self-addressed event), a late event, a broadcast and a dead letter,
    so every pipeline panel has data; none of them changes the graph or the silos."""
    first = next(
        r
        for r in OrgSimulator(OrgSpec(seed=11), 1, START).records()
        if isinstance(r, RawInteraction)
    )
    day = 86_400_000
    with Emitter(settings) as emitter:
        twice = RawInteraction("dup", TENANT, "test", "message", START + 49 * day, "x", ["x"])
        emitter.emit(twice)
        emitter.emit(twice)
        emitter.emit(replace(first, event_id="late", occurred_at=START - 90 * day))
        emitter.emit(
            RawInteraction(
                "broadcast",
                TENANT,
                "test",
                "message",
                START + 49 * day,
                first.actor,
                [f"y{i}" for i in range(60)],
            )
        )
    producer = Producer({"bootstrap.servers": settings.bootstrap})
    producer.produce(settings.topic_interactions, key=TENANT.encode(), value=b"not avro")
    producer.flush(30)


@dataclass(frozen=True)
class Stack:
    """The module's running pipeline and what was produced to it."""

    prometheus: PrometheusProcess
    worker: WorkerProcess
    simulated: OrgSimulator

    @property
    def planted(self) -> set[str]:
        """Teams the simulator planted as silos."""
        truth = self.simulated.ground_truth()["teams"]
        return {team for team, values in truth.items() if values["planted_silo"]}


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Fresh topics, app id and web port for the module."""
    topics = TopicFactory(kafka_bootstrap)
    base = Settings(bootstrap=kafka_bootstrap, data_dir=tmp_path_factory.mktemp("orgpulse"))
    yield pipeline_settings(base, topics)
    topics.delete_all()


@pytest.fixture(scope="module")
def prometheus(
    pipeline: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrometheusProcess]:
    """Prometheus scraping the (future) worker's /metrics every second with a ``metrics``
    token of every tenant, rules loaded."""
    target = f"127.0.0.1:{pipeline.web_port}"
    workdir = tmp_path_factory.mktemp("prometheus")
    credentials = workdir / "metrics.token"
    kept_token(tokens_path(pipeline), credentials, [], ["metrics"])
    process = PrometheusProcess(workdir, [target], credentials_file=credentials)
    try:
        process.start()
    except FileNotFoundError as error:  # not a skip: `make test` installs it first
        pytest.fail(str(error), pytrace=False)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def stack(pipeline: Settings, prometheus: PrometheusProcess) -> Iterator[Stack]:
    """The worker started after Prometheus, and the simulated org fully counted by it."""
    worker = WorkerProcess(pipeline)
    worker.start()
    try:
        simulated = OrgSimulator(OrgSpec(seed=11, events_per_hour=25.0), EVENTS, START)
        simulated.run(Emitter(pipeline))
        produce_pipeline_anomalies(pipeline)
        worker.wait_counted(EVENTS + ANOMALIES)
        yield Stack(prometheus, worker, simulated)
    finally:
        worker.stop()


def by_team(samples: list[Sample]) -> dict[str, float]:
    """Sample values keyed by their ``team`` label."""
    return {sample.labels["team"]: sample.value for sample in samples}


def test_the_worker_target_is_scraped(stack: Stack) -> None:
    wait_for(stack.prometheus.targets_up, 10, "the orgpulse target up")
    [up] = stack.prometheus.query('up{job="orgpulse"}')
    assert up.value == 1.0


def test_siloed_gauge_is_1_for_exactly_the_planted_teams(stack: Stack) -> None:
    reported = set(stack.worker.snapshot(TENANT, "7d")["teams"])
    assert len(stack.planted) == 2 and stack.planted <= reported
    expected = {team: float(team in stack.planted) for team in reported}
    samples = stack.prometheus.wait_for_query(
        f'orgpulse_team_siloed{{tenant="{TENANT}"}}',
        lambda found: by_team(found) == expected,
        timeout=15,
    )
    assert {sample.labels["job"] for sample in samples} == {"orgpulse"}


def ei_by_window_and_team(samples: list[Sample]) -> dict[tuple[str, str], float]:
    """E-I index samples keyed by (window, team)."""
    return {(s.labels["window"], s.labels["team"]): s.value for s in samples}


def test_ei_index_in_prometheus_equals_the_worker_snapshot(stack: Stack) -> None:
    expected: dict[tuple[str, str], float] = {}
    got: dict[tuple[str, str], float] = {}

    def equal() -> bool:
        expected.clear()
        for window in WINDOWS:
            teams = stack.worker.snapshot(TENANT, window)["teams"]
            for team, values in teams.items():
                if values["ei_index"] is not None:
                    expected[(window, team)] = values["ei_index"]
        got.clear()
        got.update(
            ei_by_window_and_team(
                stack.prometheus.query(f'orgpulse_team_ei_index{{tenant="{TENANT}"}}')
            )
        )
        return got.keys() == expected.keys() and all(
            math.isclose(got[key], value, rel_tol=1e-12, abs_tol=1e-12)
            for key, value in expected.items()
        )

    try:
        wait_for(equal, 15, "orgpulse_team_ei_index equal to the snapshots")
    except TimeoutError:
        assert got == expected
        raise
    assert len(expected) >= 3 * len(stack.planted)


def test_every_metric_the_rules_read_is_declared_by_the_real_worker(stack: Stack) -> None:
    declared: set[str] = set()
    for line in stack.worker.get("/metrics").decode().splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}
            base = name.removesuffix("_total")
            declared.update(base + suffix for suffix in suffixes.get(kind, ("",)))
    assert metric_names_used() <= declared, sorted(metric_names_used() - declared)


def test_rules_load_and_evaluate_without_errors(stack: Stack) -> None:
    groups = stack.prometheus.rule_groups()
    assert {group["name"] for group in groups} == {"orgpulse.recording", "orgpulse.alerts"}
    for group in groups:
        for rule in group["rules"]:
            assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))


def test_recording_rules_produce_latency_and_throughput_values(stack: Stack) -> None:
    prometheus = stack.prometheus
    p50 = prometheus.wait_for_query(
        f'orgpulse:response_latency_seconds:p50{{tenant="{TENANT}"}}',
        lambda found: len(found) == 2 and finite(found),
        timeout=15,
    )
    p90 = prometheus.values(f'orgpulse:response_latency_seconds:p90{{tenant="{TENANT}"}}', "scope")
    median = {sample.labels["scope"]: sample.value for sample in p50}
    assert set(median) == set(p90) == {"within_team", "cross_team"}
    for scope, value in median.items():
        assert 0 < value <= p90[scope] and math.isfinite(p90[scope]), scope
    # the simulator plants medians of 20 min within teams and 4 h across them
    assert 15 * MINUTE <= median["within_team"] <= 30 * MINUTE
    assert 2 * HOUR <= median["cross_team"] <= 8 * HOUR
    artifacts = prometheus.query(f'orgpulse:artifact_cross_team_seconds:p50{{tenant="{TENANT}"}}')
    assert finite(artifacts) and artifacts[0].value > 0
    [rate] = prometheus.query(f'orgpulse:events_processed:rate5m{{tenant="{TENANT}"}}')
    assert rate.value > 0


def test_silo_alert_fires_for_the_planted_teams(stack: Stack) -> None:
    prometheus = stack.prometheus
    for team in sorted(stack.planted):
        alert = prometheus.wait_for_alert(
            "OrgpulseTeamSiloed", {"tenant": TENANT, "team": team}, timeout=ALERT_SECONDS
        )
        assert alert["labels"]["severity"] == "warning"
        assert alert["annotations"]["summary"] == f"Team {team} of {TENANT} is siloed"
        assert alert["annotations"]["runbook_url"].endswith("#runbook-orgpulseteamsiloed")
    siloed = [
        alert
        for alert in prometheus.alerts()
        if alert["labels"]["alertname"] == "OrgpulseTeamSiloed"
    ]
    assert {alert["labels"]["team"] for alert in siloed} == stack.planted
    assert {alert["state"] for alert in siloed} == {"firing"}
    firing = prometheus.query('ALERTS{alertname="OrgpulseTeamSiloed",alertstate="firing"}')
    assert {sample.labels["team"] for sample in firing} == stack.planted


DASHBOARDS = sorted((Path(__file__).resolve().parents[2] / "grafana" / "dashboards").glob("*.json"))


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda p: p.stem)
def test_every_dashboard_panel_query_returns_data(stack: Stack, dashboard: Path) -> None:
    queries = panel_queries(
        json.loads(dashboard.read_text()),
        tenant=TENANT,
        window="7d",
        team=".*",
        __rate_interval="1m",
        __interval="15s",
    )
    assert queries

    def all_answer() -> bool:
        return all(stack.prometheus.query_data(expr)["result"] for _, expr in queries)

    try:
        wait_for(all_answer, 60, f"data for every panel of {dashboard.name}")
    except TimeoutError:
        empty = [
            title for title, expr in queries if not stack.prometheus.query_data(expr)["result"]
        ]
        assert empty == []
        raise
