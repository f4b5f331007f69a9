"""The worker on the real broker: simulator ground truth and an independent networkx check."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer
from support.kafka import TopicFactory
from support.reference import reference, window_events
from support.worker import WorkerProcess, pipeline_settings, wait_for

from streams.analytics.silos.louvain import hidden_silos, prepare
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.engine.offline import analyze
from streams.kafka.codec import alert_codec
from streams.model import Alert
from streams.settings import Settings
from streams.timeutil import parse_time

START = parse_time("2026-06-01T00:00:00Z")
EVENTS = 30_000


def simulator() -> OrgSimulator:
    """A simulated org of 200 people over 50 days; equal each time (seeded)."""
    return OrgSimulator(OrgSpec(seed=11, events_per_hour=25.0), EVENTS, START)


@pytest.fixture(scope="module")
def module_pipeline(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """One pipeline for every test of this module (they only read its results)."""
    topics = TopicFactory(kafka_bootstrap)
    base = Settings(bootstrap=kafka_bootstrap, data_dir=tmp_path_factory.mktemp("orgpulse"))
    yield pipeline_settings(base, topics).model_copy(update={"louvain_seconds": 1.0})
    topics.delete_all()


@pytest.fixture(scope="module")
def worker(module_pipeline: Settings) -> Iterator[WorkerProcess]:
    """The module's worker."""
    process = WorkerProcess(module_pipeline)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def simulated(module_pipeline: Settings, worker: WorkerProcess) -> OrgSimulator:
    """The simulated org, produced to the pipeline and fully counted by the worker."""
    produced = simulator()
    produced.run(Emitter(module_pipeline))
    worker.wait_counted(EVENTS)
    return produced


def test_planted_silos_are_found_and_only_them(
    simulated: OrgSimulator, worker: WorkerProcess
) -> None:
    truth = simulated.ground_truth()["teams"]
    snapshot = worker.snapshot("acme", "7d")
    reported = snapshot["teams"]
    assert set(reported) == {t for t, v in truth.items() if v["members"] >= 5}
    for team, values in reported.items():
        assert values["siloed"] == truth[team]["planted_silo"], team
        assert values["ei_index"] == pytest.approx(truth[team]["expected_ei"], abs=0.15), team
        assert values["members"] == truth[team]["members"]
    metrics = worker.get("/metrics").decode()
    for team, values in truth.items():
        if values["members"] >= 5:
            flag = 1.0 if values["planted_silo"] else 0.0
            assert f'orgpulse_team_siloed{{team="{team}",tenant="acme"}} {flag}' in metrics


@pytest.mark.parametrize("window,hours", [("1d", 24), ("7d", 168), ("28d", 672)])
def test_window_metrics_match_networkx(
    simulated: OrgSimulator, worker: WorkerProcess, window: str, hours: int
) -> None:
    events = [r for r in simulator().records() if isinstance(r, RawInteraction)]
    teams = {m.person: m.team for m in simulated.org.members if m.team is not None}
    expected = reference(window_events(events, hours), teams)
    snapshot = worker.snapshot("acme", window)
    org = snapshot["org"]
    assert org["people"] == expected.people
    assert org["pairs"] == expected.pairs
    assert org["modularity"] == pytest.approx(expected.modularity, abs=1e-9)
    assert org["reciprocity"] == pytest.approx(expected.reciprocity, abs=1e-9)
    for team, values in snapshot["teams"].items():
        assert values["internal"] == pytest.approx(expected.internal.get(team, 0.0))
        assert values["external"] == pytest.approx(expected.external.get(team, 0.0))
        assert values["ei_index"] == pytest.approx(expected.ei(team))
        assert values["partner_teams"] == expected.partners.get(team, 0)


def test_silo_alerts_on_the_alerts_topic(
    simulated: OrgSimulator, module_pipeline: Settings
) -> None:
    pipeline = module_pipeline
    truth = simulated.ground_truth()["teams"]
    planted = {team for team, values in truth.items() if values["planted_silo"]}
    codec = alert_codec(pipeline)
    consumer = Consumer(
        {
            "bootstrap.servers": pipeline.bootstrap,
            "group.id": "alerts-reader",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([pipeline.topic_alerts])
    alerts: list[Alert] = []

    def firing_for_all_planted() -> bool:
        alerts.extend(
            codec.decode(m.value() or b"")
            for m in consumer.consume(100, timeout=0.5)
            if m.error() is None
        )
        return {a["team"] for a in alerts if a["status"] == "firing"} >= planted

    try:
        wait_for(firing_for_all_planted, 60, "firing alerts for the planted silos")
    finally:
        consumer.close()
    assert {a["team"] for a in alerts} == planted
    for alert in alerts:
        assert alert["tenant"] == "acme" and alert["kind"] == "team_siloed"
        assert alert["window"] == "7d" and alert["value"] <= -0.6
    assert len({a["alert_id"] for a in alerts}) == len(alerts)


def test_planted_latencies_are_recovered_for_both_scopes(
    simulated: OrgSimulator, worker: WorkerProcess
) -> None:
    planted = simulated.ground_truth()["latency"]
    feedback = worker.snapshot("acme", "28d")["feedback"]
    for scope in ("within_team", "cross_team"):
        assert feedback[scope]["answered"] > 100, scope
        median = planted[scope]["planted_median_seconds"]
        assert feedback[scope]["p50_seconds"] == pytest.approx(median, rel=0.25), scope
        assert feedback[scope]["p90_seconds"] > feedback[scope]["p50_seconds"]
    assert feedback["requests"] == feedback["answered"] + feedback["unanswered"] + feedback["open"]


def test_feedback_and_knowledge_metrics_are_exported(
    simulated: OrgSimulator, worker: WorkerProcess
) -> None:
    metrics = worker.get("/metrics").decode()
    for scope in ("within_team", "cross_team"):
        assert f'scope="{scope}"' in metrics
    assert "orgpulse_response_latency_seconds_bucket{" in metrics
    assert 'orgpulse_requests_total{source="simulator"' in metrics
    assert "orgpulse_team_flow{" in metrics
    assert "orgpulse_artifact_cross_team_seconds_count" in metrics
    small = [t for t, v in simulated.ground_truth()["teams"].items() if v["members"] < 5]
    assert small and all(f'team="{team}"' not in metrics for team in small)
    assert "person-" not in metrics and not re.search(r"p_[0-9a-f]{32}", metrics)
    knowledge = json.loads(worker.get("/api/v1/tenants/acme/knowledge"))
    assert knowledge["artifacts"]["artifacts"] > 0
    assert all(pair["median_seconds"] is not None for pair in knowledge["top_stale_pairs"])


def test_hidden_silos_come_from_the_louvain_process(
    module_pipeline: Settings, worker: WorkerProcess, simulated: OrgSimulator
) -> None:
    state = analyze(simulator().records(), module_pipeline).runtime.state("acme")
    size = module_pipeline.min_group_size
    expected = {
        window: hidden_silos(prepare(state.windows.graphs[window], state.directory), size)
        for window in module_pipeline.windows
    }
    assert any(expected.values())  # the simulated org has communities across its teams

    def served() -> dict[str, int]:
        pattern = r'orgpulse_org_hidden_silos\{tenant="acme",window="(\w+)"\} (\S+)'
        found = re.findall(pattern, worker.get("/metrics").decode())
        return {window: int(float(value)) for window, value in found}

    wait_for(lambda: served() == expected, 120, f"hidden silos {expected} (log {worker.log_path})")
