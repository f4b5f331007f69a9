"""The shared fixtures: the session broker, per-test settings and the topic factory."""

from __future__ import annotations

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource  # not re-exported for mypy
from support.kafka import TopicFactory

from streams.settings import Settings


def test_topic_factory_creates_configured_unique_topics(
    topic_factory: TopicFactory, kafka_bootstrap: str
) -> None:
    first = topic_factory("events", partitions=3, config={"cleanup.policy": "compact"})
    second = topic_factory("events")
    assert first != second and first.startswith("events-")
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    topics = admin.list_topics(timeout=10).topics
    assert len(topics[first].partitions) == 3 and len(topics[second].partitions) == 1
    resource = ConfigResource(ConfigResource.Type.TOPIC, first)
    configs = admin.describe_configs([resource])[resource].result(timeout=10)
    assert configs["cleanup.policy"].value == "compact"


def test_topic_factory_deletes_its_topics(kafka_bootstrap: str) -> None:
    factory = TopicFactory(kafka_bootstrap)
    name = factory("doomed")
    factory.delete_all()
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    assert name not in admin.list_topics(timeout=10).topics
    assert factory.created == []


def test_settings_point_at_the_test_broker(
    kafka_settings: Settings, topic_factory: TopicFactory
) -> None:
    topic = topic_factory("roundtrip")
    producer = Producer({"bootstrap.servers": kafka_settings.bootstrap})
    producer.produce(topic, key=b"k", value=b"v")
    assert producer.flush(10) == 0
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_settings.bootstrap,
            "group.id": f"group-{topic}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    message = consumer.poll(30)
    consumer.close()
    assert message is not None and message.error() is None
    assert (message.key(), message.value()) == (b"k", b"v")
    assert kafka_settings.data_dir.name == "orgpulse"
