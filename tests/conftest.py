"""Shared fixtures: one real Kafka broker per test run, fresh topics per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.kafka import TopicFactory, free_ports, shared_libs_dir

from streams.local.broker import LocalBroker
from streams.settings import Settings


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap of the test broker: ``$ORGPULSE_BOOTSTRAP``, else a LocalBroker for the run."""
    external = os.environ.get("ORGPULSE_BOOTSTRAP")
    if external:
        yield external
        return
    port, controller_port = free_ports(2)
    broker = LocalBroker(
        tmp_path_factory.mktemp("kafka"),
        port=port,
        controller_port=controller_port,
        libs_dir=shared_libs_dir(),
    )
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
