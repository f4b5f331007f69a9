"""Fixtures of the fault tests: a broker of their own that they may stop and restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.kafka import TopicFactory, local_broker
from support.worker import pipeline_settings

from streams.local.broker import LocalBroker
from streams.settings import Settings


@pytest.fixture(scope="package")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A broker only the fault tests use, so that stopping it disturbs nothing else."""
    broker = local_broker(tmp_path_factory.mktemp("fault-kafka"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def dedicated_broker(own_broker: LocalBroker) -> LocalBroker:
    """The fault tests' broker, running (again, if an earlier test left it stopped)."""
    own_broker.start()
    return own_broker


@pytest.fixture
def dedicated_pipeline(dedicated_broker: LocalBroker, tmp_path: Path) -> Settings:
    """A fresh pipeline (topics, app id, web port) on the dedicated broker."""
    base = Settings(bootstrap=dedicated_broker.bootstrap, data_dir=tmp_path / "orgpulse")
    return pipeline_settings(base, TopicFactory(dedicated_broker.bootstrap))
