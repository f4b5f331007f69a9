"""Fixtures for tests that run the real worker on the real broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.kafka import TopicFactory
from support.worker import WorkerProcess, pipeline_settings

from streams.settings import Settings


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
