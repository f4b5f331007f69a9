"""Streaming snapshots equal offline ``analyze`` on the same events, windows and directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.data import ENRON, R_LISTS, STACKEXCHANGE
from support.expected import offline_snapshots
from support.files import write_csv
from support.kafka import REPO
from support.replay import Replay
from support.worker import WorkerProcess

from streams.connectors.base import Connector
from streams.connectors.csv_files import CsvConnector
from streams.connectors.emitter import Emitter
from streams.connectors.enron import EnronConnector
from streams.connectors.rlists import RListsConnector
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.connectors.stackexchange import StackExchangeConnector
from streams.settings import Settings
from streams.timeutil import parse_time


def test_csv_import_equals_analyze(
    pipeline: Settings, worker: WorkerProcess, tmp_path: Path
) -> None:
    simulator = OrgSimulator(
        OrgSpec(seed=3, events_per_hour=40.0), 12_000, parse_time("2026-08-01T00:00:00Z")
    )
    events, directory = tmp_path / "events.csv", tmp_path / "directory.csv"
    write_csv(simulator.records(), events, directory)
    command = [
        sys.executable,
        "-m",
        "streams",
        "import",
        "csv",
        str(events),
        "--tenant",
        "csvco",
        "--directory",
        str(directory),
    ]
    env = pipeline.to_env()
    subprocess.run(command, check=True, cwd=REPO, env={**os.environ, **env})
    analyzed = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams",
            "analyze",
            "--events",
            str(events),
            "--directory",
            str(directory),
            "--tenant",
            "csvco",
            "--window",
            "7d",
            "--json",
        ],
        check=True,
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
    )
    expected = offline_snapshots(
        CsvConnector(events, "csvco", directory).records(), pipeline, "csvco"
    )
    assert json.loads(analyzed.stdout) == expected["7d"]
    assert expected["7d"]["org"]["pairs"] > 1000
    worker.await_snapshots("csvco", expected)
    fetched = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams",
            "snapshot",
            "--tenant",
            "csvco",
            "--window",
            "28d",
            "--json",
            "--url",
            worker.base,
        ],
        check=True,
        cwd=REPO,
        env={**os.environ, "ORGPULSE_TOKEN": worker.token},
        capture_output=True,
    )
    assert json.loads(fetched.stdout) == expected["28d"]


def test_enron_streaming_equals_offline(kafka_settings: Settings, pipeline: Settings) -> None:
    settings = pipeline.model_copy(update={"windows": ("1d", "7d", "28d", "365d")})
    worker = WorkerProcess(settings)
    worker.start()
    try:
        items = list(EnronConnector(ENRON, "enron").records())
        Replay(items).run(Emitter(settings))
        expected = offline_snapshots(items, settings, "enron")
        assert set(expected["365d"]["teams"]) == {"Legal", "Trading", "Other"}
        assert expected["365d"]["org"]["pairs"] > 10_000
        worker.await_snapshots("enron", expected)
    finally:
        worker.stop()


@pytest.mark.parametrize("data_set", ["rlists", "stackexchange"])
def test_real_feedback_data_streaming_equals_offline(pipeline: Settings, data_set: str) -> None:
    settings = pipeline.model_copy(update={"windows": ("10000d",), "silo_window": "10000d"})

    def connector() -> Connector:
        if data_set == "rlists":
            return RListsConnector(R_LISTS, data_set)
        return StackExchangeConnector(STACKEXCHANGE, data_set)

    worker = WorkerProcess(settings)
    worker.start()
    try:
        items = list(connector().records())
        Replay(items).run(Emitter(settings))
        expected = offline_snapshots(items, settings, data_set)
        assert expected["10000d"]["feedback"]["answered"] > 300
        worker.await_snapshots(data_set, expected)
    finally:
        worker.stop()
