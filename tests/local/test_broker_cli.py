"""``orgpulse broker start|stop|status`` through ``broker_command`` and its argparse parser."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from support.kafka import free_ports, shared_libs_dir

from streams.local.cli import EXIT_ERROR, EXIT_NOT_RUNNING, add_broker_parser, broker_command
from streams.local.jars import LIBS_ENV
from streams.settings import Settings


def _settings(tmp_path: Path, port: int) -> Settings:
    return Settings(bootstrap=f"localhost:{port}", data_dir=tmp_path)


def test_parser_accepts_the_three_actions() -> None:
    parser = argparse.ArgumentParser()
    add_broker_parser(parser.add_subparsers(dest="command"))
    for action in ("start", "stop", "status"):
        assert parser.parse_args(["broker", action]).broker_action == action
    with pytest.raises(SystemExit):
        parser.parse_args(["broker", "restart"])


def test_start_status_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(LIBS_ENV, str(shared_libs_dir()))
    port = free_ports(2)[0]  # the controller takes port + 1
    settings = _settings(tmp_path, port)
    assert broker_command("status", settings) == EXIT_NOT_RUNNING
    assert "stopped" in capsys.readouterr().out
    try:
        assert broker_command("start", settings) == 0
        assert f"started at 127.0.0.1:{port}" in capsys.readouterr().out
        assert broker_command("start", settings) == 0
        assert "already running" in capsys.readouterr().out
        assert broker_command("status", settings) == 0
        assert f"running at 127.0.0.1:{port}" in capsys.readouterr().out
    finally:
        assert broker_command("stop", settings) == 0
    assert "Kafka broker stopped" in capsys.readouterr().out
    assert broker_command("stop", settings) == 0
    assert "was not running" in capsys.readouterr().out


def test_start_without_java_prints_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert broker_command("start", _settings(tmp_path, free_ports(1)[0])) == EXIT_ERROR
    error = " ".join(capsys.readouterr().err.split())
    assert "error: Java 17+ is needed" in error and "docker compose up" in error


def test_unknown_action_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown broker action"):
        broker_command("restart", _settings(tmp_path, 9092))
