"""The orgpulse topics, their configurations, and idempotent creation through the admin API."""

from __future__ import annotations

from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from streams.settings import Settings

DAY_MS = 86_400_000


@dataclass(frozen=True)
class TopicSpec:
    """Name, partition count and topic-level configuration of one topic."""

    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic orgpulse reads or writes, as configured by ``settings``."""
    keep = str(90 * DAY_MS)
    return [
        TopicSpec(settings.topic_interactions, settings.partitions, {"retention.ms": keep}),
        TopicSpec(settings.topic_directory, settings.partitions, {"cleanup.policy": "compact"}),
        TopicSpec(settings.topic_dlq, 1, {"retention.ms": keep}),
        TopicSpec(settings.topic_alerts, 1, {"retention.ms": keep}),
    ]


def ensure_topics(settings: Settings, timeout: float = 30.0) -> list[str]:
    """Create the missing orgpulse topics; returns the names that were created."""
    return create_topic(settings, *topic_specs(settings), timeout=timeout)


def create_topic(settings: Settings, *specs: TopicSpec, timeout: float = 30.0) -> list[str]:
    """Create those of ``specs`` that do not exist yet; returns the names created."""
    admin = AdminClient({"bootstrap.servers": settings.bootstrap})
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [
        NewTopic(
            spec.name, num_partitions=spec.partitions, replication_factor=1, config=spec.config
        )
        for spec in specs
        if spec.name not in existing
    ]
    if not wanted:
        return []
    created = []
    for name, future in admin.create_topics(wanted, request_timeout=timeout).items():
        try:
            future.result()
            created.append(name)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return created
