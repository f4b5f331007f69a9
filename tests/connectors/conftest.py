"""Fixtures of the connector SDK tests: settings pointing at fresh topics on the test broker."""

from __future__ import annotations

import pytest
from support.kafka import TopicFactory

from streams.settings import Settings


@pytest.fixture
def sdk_settings(kafka_settings: Settings, topic_factory: TopicFactory) -> Settings:
    """Test-broker settings: fresh 4-partition interactions and compacted directory topics."""
    return kafka_settings.model_copy(
        update={
            "topic_interactions": topic_factory("interactions", partitions=4),
            "topic_directory": topic_factory(
                "directory", partitions=1, config={"cleanup.policy": "compact"}
            ),
        }
    )
