"""Failure paths of the local broker: missing tools, busy ports, a broker that dies early."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from support.kafka import free_ports, shared_libs_dir

from streams.local.broker import LocalBroker
from streams.local.errors import BrokerError, MissingToolError
from streams.local.jars import ensure_jars
from streams.local.tools import find_java

INSTALL_ADVICE = "apt-get install openjdk-17-jre-headless maven"


def _path_with(tmp_path: Path, **tools: Path) -> str:
    """A PATH holding only the given tools (name -> target), as symlinks."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for name, target in tools.items():
        (directory / name).symlink_to(target)
    return str(directory)


def _real(tool: str) -> Path:
    found = shutil.which(tool)
    assert found is not None, f"{tool} is needed on this machine for the tests"
    return Path(found)


def test_missing_java_gives_install_advice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path))
    port, controller_port = free_ports(2)
    broker = LocalBroker(tmp_path / "data", port, controller_port, libs_dir=tmp_path / "libs")
    with pytest.raises(MissingToolError) as caught:
        broker.start()
    message = str(caught.value)
    assert "Java 17+" in message and "not on PATH" in message
    assert INSTALL_ADVICE in message and "docker compose up" in message


def test_old_java_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "java-11"
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.21\" 2023-10-17' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", _path_with(tmp_path, java=fake))
    with pytest.raises(MissingToolError, match=r"Java 17\+ is needed .* is Java 11;"):
        find_java()


def test_missing_maven_with_empty_jar_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path, java=_real("java")))
    port, controller_port = free_ports(2)
    broker = LocalBroker(tmp_path / "data", port, controller_port, libs_dir=tmp_path / "libs")
    with pytest.raises(MissingToolError) as caught:
        broker.start()
    assert "Maven is needed" in str(caught.value) and INSTALL_ADVICE in str(caught.value)
    assert not broker.layout.pid_file.exists()


def test_complete_jar_cache_needs_no_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    libs = shared_libs_dir()
    ensure_jars(libs)
    monkeypatch.setenv("PATH", _path_with(tmp_path))
    assert ensure_jars(libs) is False
    assert len(list(libs.glob("*.jar"))) > 50


def test_busy_port_is_reported_before_launch(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        broker = LocalBroker(tmp_path, port, free_ports(1)[0], libs_dir=shared_libs_dir())
        with pytest.raises(BrokerError, match=f"port {port} on 127.0.0.1 is already in use"):
            broker.start()
    assert not broker.layout.pid_file.exists()


def test_broker_dying_at_startup_reports_log_tail(tmp_path: Path) -> None:
    port, controller_port = free_ports(2)
    broker = LocalBroker(tmp_path, port, controller_port, libs_dir=shared_libs_dir())
    broker.layout.log_dirs.mkdir(parents=True)
    broker.layout.meta_properties.write_text("version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\n")
    with pytest.raises(BrokerError) as caught:
        broker.start(timeout=60)
    message = str(caught.value)
    assert "exited during startup" in message
    assert f"--- {broker.layout.server_log} ---" in message
    assert "Exiting Kafka due to fatal exception" in message
    assert not broker.status().running and not broker.layout.pid_file.exists()
