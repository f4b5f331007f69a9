"""Shared fixtures: one real Kafka broker per test run, fresh topics and pipelines per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.hermetic import hermetic_environment
from support.kafka import TopicFactory, local_broker
from support.worker import WorkerProcess, pipeline_settings

from streams.settings import Settings


@pytest.fixture(scope="session", autouse=True)
def hermetic() -> Iterator[None]:
    """No user ``ORGPULSE_*`` setting leaks into the run; the run has its own random key."""
    with hermetic_environment():
        yield


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap of the test broker: ``$ORGPULSE_BOOTSTRAP``, else a LocalBroker for the run."""
    external = os.environ.get("ORGPULSE_BOOTSTRAP")
    if external:
        yield external
        return
    broker = local_broker(tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture
def kafka_settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test broker, with a per-test data dir."""
    return Settings(bootstrap=kafka_bootstrap, data_dir=tmp_path / "orgpulse")


@pytest.fixture
def topic_factory(kafka_bootstrap: str) -> Iterator[TopicFactory]:
    """``topic_factory(prefix="test", partitions=1, config=None) -> name``; deleted afterwards."""
    factory = TopicFactory(kafka_bootstrap)
    yield factory
    factory.delete_all()


@pytest.fixture
def pipeline(kafka_settings: Settings, topic_factory: TopicFactory) -> Settings:
    """Settings of a fresh pipeline: its own topics, app id and web port."""
    return pipeline_settings(kafka_settings, topic_factory)


@pytest.fixture
def worker(pipeline: Settings) -> Iterator[WorkerProcess]:
    """A started worker for ``pipeline``, stopped after the test."""
    process = WorkerProcess(pipeline)
    process.start()
    try:
        yield process
    finally:
        process.stop()
