"""The local broker's lifecycle on a real JVM: cold start, produce/consume, stop, warm start."""

from __future__ import annotations

import uuid
from pathlib import Path

from confluent_kafka import Consumer, Producer
from support.kafka import TopicFactory, free_ports, shared_libs_dir

from streams.local.broker import LocalBroker
from streams.local.process import is_broker_process

TIMEOUT = 30.0


def _cluster_id(broker: LocalBroker) -> str:
    lines = broker.layout.meta_properties.read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith("cluster.id="))


def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topic, value=value)
    assert producer.flush(TIMEOUT) == 0


def _consume_first(bootstrap: str, topic: str) -> bytes | None:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"lifecycle-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.subscribe([topic])
        message = consumer.poll(TIMEOUT)
        assert message is not None, "no message within the timeout"
        assert message.error() is None, message.error()
        return message.value()
    finally:
        consumer.close()


def test_cold_start_produce_stop_warm_start_keeps_data(tmp_path: Path) -> None:
    port, controller_port = free_ports(2)
    broker = LocalBroker(tmp_path, port, controller_port, libs_dir=shared_libs_dir())
    try:
        assert broker.start() is True
        status = broker.status()
        assert status.running and status.pid is not None
        assert status.bootstrap == f"127.0.0.1:{port}"
        assert broker.layout.pid_file.read_text().strip() == str(status.pid)
        assert "Kafka Server started" in broker.layout.server_log.read_text()
        cluster_id = _cluster_id(broker)
        topic = TopicFactory(broker.bootstrap)("lifecycle")
        _produce(broker.bootstrap, topic, b"hello")
        assert _consume_first(broker.bootstrap, topic) == b"hello"

        assert broker.stop() is True
        assert not broker.status().running
        assert not broker.layout.pid_file.exists()
        assert not is_broker_process(status.pid, broker.layout.server_properties)
        assert "[BrokerServer id=1] shut down completed" in broker.layout.server_log.read_text()

        assert broker.start() is True
        assert _cluster_id(broker) == cluster_id  # warm: not formatted again
        assert _consume_first(broker.bootstrap, topic) == b"hello"
    finally:
        broker.stop()
    assert broker.stop() is False


def test_start_is_idempotent_and_another_launcher_sees_and_stops_it(tmp_path: Path) -> None:
    port, controller_port = free_ports(2)
    first = LocalBroker(tmp_path, port, controller_port, libs_dir=shared_libs_dir())
    try:
        assert first.start() is True
        pid = first.status().pid
        assert first.start() is False
        assert first.status().pid == pid
        other = LocalBroker(tmp_path, port=1, libs_dir=shared_libs_dir())  # like a new CLI run
        other_status = other.status()
        assert other_status.running and other_status.pid == pid
        assert other_status.bootstrap == f"127.0.0.1:{port}"  # from the written config
        assert other.stop() is True
        assert not first.status().running
    finally:
        first.stop()
