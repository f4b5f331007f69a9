"""Content of the files the launcher writes and ships, checked without starting a JVM."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from streams.local.broker import LocalBroker, bootstrap_port
from streams.local.config import (
    BrokerLayout,
    configured_bootstrap,
    new_cluster_id,
    write_config,
)
from streams.local.jars import LIBS_ENV, MARKER, POM, default_libs_dir, jars_ready, pom_digest
from streams.local.tools import java_major_version
from streams.settings import Settings


def _properties(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_server_properties_single_node_kraft(tmp_path: Path) -> None:
    layout = BrokerLayout.under(tmp_path)
    write_config(layout, 19092, 19093)
    props = _properties(layout.server_properties)
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str(tmp_path.resolve() / "kafka" / "data")
    for key in (
        "offsets.topic.replication.factor",
        "offsets.topic.num.partitions",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "num.partitions",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    assert configured_bootstrap(layout) == "127.0.0.1:19092"
    assert layout.log_dirs.is_dir() and layout.server_log.parent.is_dir()


def test_log4j_writes_to_a_file_in_the_data_dir(tmp_path: Path) -> None:
    layout = BrokerLayout.under(tmp_path)
    write_config(layout, 19092, 19093)
    props = _properties(layout.log4j_properties)
    assert props["log4j.rootLogger"] == "INFO, file"
    assert props["log4j.appender.file"] == "org.apache.log4j.RollingFileAppender"
    assert props["log4j.appender.file.File"] == str(tmp_path.resolve() / "kafka/log/server.log")


def test_cluster_id_is_22_chars_of_base64url() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22 and not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_broker_from_settings_uses_bootstrap_port_and_data_dir(tmp_path: Path) -> None:
    broker = LocalBroker.from_settings(Settings(bootstrap="localhost:9321", data_dir=tmp_path))
    assert (broker.port, broker.controller_port) == (9321, 9322)
    assert broker.bootstrap == "127.0.0.1:9321"
    assert broker.layout.root == tmp_path.resolve() / "kafka"
    assert not broker.status().running


@pytest.mark.parametrize(
    ("bootstrap", "port"), [("localhost:9092", 9092), ("a:1, b:2", 1), ("[::1]:9093", 9093)]
)
def test_bootstrap_port(bootstrap: str, port: int) -> None:
    assert bootstrap_port(bootstrap) == port


def test_bootstrap_without_port_is_rejected() -> None:
    with pytest.raises(ValueError, match="no host:port"):
        bootstrap_port("localhost")


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_292"', 8),
        ("command not found", None),
    ],
)
def test_java_major_version(output: str, major: int | None) -> None:
    assert java_major_version(output) == major


def test_jar_cache_location_and_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LIBS_ENV, raising=False)
    assert default_libs_dir(tmp_path) == tmp_path / "kafka" / "libs"
    monkeypatch.setenv(LIBS_ENV, str(tmp_path / "shared"))
    assert default_libs_dir(tmp_path) == tmp_path / "shared"
    assert not jars_ready(tmp_path)
    (tmp_path / MARKER).write_text("digest of an older pom\n")
    assert not jars_ready(tmp_path)
    (tmp_path / MARKER).write_text(pom_digest() + "\n")
    assert jars_ready(tmp_path)


def test_pom_is_package_data_with_the_broker_and_logging() -> None:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(POM).getroot()
    dependencies = {
        (
            dep.findtext("m:artifactId", namespaces=namespace),
            dep.findtext("m:version", namespaces=namespace),
        )
        for dep in root.iterfind("m:dependencies/m:dependency", namespace)
    }
    assert dependencies == {
        ("kafka_2.13", "3.9.2"),
        ("slf4j-reload4j", "1.7.36"),
        ("reload4j", "1.2.25"),
    }
