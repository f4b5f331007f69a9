"""docker-compose.yml checked statically (no Docker engine here): it parses and is consistent."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from streams.cli import build_parser
from streams.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return document


def kafka_version_of_the_local_broker() -> str:
    pom = ElementTree.parse(REPO / "streams" / "local" / "pom.xml")
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    for dependency in pom.getroot().iterfind(".//m:dependency", namespace):
        if dependency.findtext("m:artifactId", namespaces=namespace) == "kafka_2.13":
            return dependency.findtext("m:version", namespaces=namespace) or ""
    raise AssertionError("no kafka_2.13 dependency in the pom")


def test_kafka_image_is_the_version_the_local_broker_runs() -> None:
    version = kafka_version_of_the_local_broker()
    assert version == "3.9.2"
    assert compose()["services"]["kafka"]["image"] == f"apache/kafka:{version}"


def test_built_services_have_a_dockerfile_and_run_orgpulse_commands() -> None:
    services = compose()["services"]
    built = [name for name, service in services.items() if "build" in service]
    assert set(built) == {"topics", "worker", "simulator"}
    assert (REPO / "Dockerfile").is_file()
    assert "USER orgpulse" in (REPO / "Dockerfile").read_text()
    parser = build_parser()
    for name in built:
        parser.parse_args(services[name]["command"])


def test_worker_port_and_bootstrap_match_the_settings() -> None:
    services = compose()["services"]
    default_port = Settings().web_port
    assert f"127.0.0.1:{default_port}:{default_port}" in services["worker"]["ports"]
    assert services["worker"]["environment"]["ORGPULSE_BOOTSTRAP"] == "kafka:29092"
    instance = services["worker"]["environment"]["ORGPULSE_INSTANCE_ID"]
    assert Settings(instance_id=instance).instance_id == instance  # a valid static member name
    assert (
        "INTERNAL://kafka:29092" in services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    )


def test_no_secret_has_a_default_in_the_file() -> None:
    key = compose()["services"]["worker"]["environment"]["ORGPULSE_PSEUDONYM_KEY"]
    assert key.startswith("${ORGPULSE_PSEUDONYM_KEY:?")
    assert (REPO / ".env.example").is_file()


def test_every_port_is_published_on_the_loopback_only() -> None:
    published = [
        (name, port)
        for name, service in compose()["services"].items()
        for port in service.get("ports", [])
    ]
    assert {name for name, _ in published} >= {"kafka", "worker", "prometheus", "grafana"}
    for name, port in published:
        assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond the host"


def test_the_worker_restarts_and_keeps_its_tokens_in_a_volume() -> None:
    document = compose()
    worker = document["services"]["worker"]
    assert worker["restart"] == "unless-stopped"
    volume, target = worker["volumes"][0].split(":")
    assert volume in document["volumes"]
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"ORGPULSE_DATA_DIR={target}" in dockerfile and f"mkdir -p {target}" in dockerfile


def test_prometheus_scrapes_with_the_metrics_token_secret() -> None:
    document = compose()
    config = yaml.safe_load((REPO / "prometheus" / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "orgpulse"]
    (secret,) = document["services"]["prometheus"]["secrets"]
    assert job["authorization"]["credentials_file"] == f"/run/secrets/{secret}"
    token_file = document["secrets"][secret]["file"]
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert token_file.startswith("./secrets/") and "secrets/" in ignored and ".env" in ignored


def test_every_mounted_file_exists() -> None:
    document = compose()
    for name, service in document["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source not in document["volumes"]:
                assert (REPO / source).exists(), f"{name} mounts missing {source}"


def test_prometheus_scrapes_the_worker_and_loads_the_rules() -> None:
    config = yaml.safe_load((REPO / "prometheus" / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "orgpulse"]
    assert job["static_configs"][0]["targets"] == [f"worker:{Settings().web_port}"]
    for rule_file in config["rule_files"]:
        assert (REPO / "prometheus" / rule_file).is_file()
    targets = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]
    assert "127.0.0.1:9093:9093" in compose()["services"]["alertmanager"]["ports"]


def test_grafana_datasource_uid_is_the_one_the_dashboards_use() -> None:
    provisioning = REPO / "grafana" / "provisioning"
    datasources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["url"] == "http://prometheus:9090"
    for path in (REPO / "grafana" / "dashboards").glob("*.json"):
        text = path.read_text()
        assert f'"uid": "{source["uid"]}"' in text, path.name
    providers = yaml.safe_load((provisioning / "dashboards" / "orgpulse.yml").read_text())
    mounted = [v.split(":")[1] for v in compose()["services"]["grafana"]["volumes"]]
    assert providers["providers"][0]["options"]["path"] in mounted


def test_grafana_has_no_default_password() -> None:
    password = compose()["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
    assert password.startswith("${GRAFANA_ADMIN_PASSWORD:?")
