"""Test helpers for the real Kafka broker: free ports, the shared jar cache, topics."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic  # admin re-exports it only implicitly (mypy)

from streams.kafka.group_offsets import committed_offsets as committed_offsets
from streams.kafka.group_offsets import end_offsets as end_offsets
from streams.kafka.group_offsets import uncommitted as uncommitted
from streams.local.broker import LocalBroker
from streams.local.jars import default_libs_dir

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 30.0


def shared_libs_dir() -> Path:
    """The jar cache shared by tests and the demo: ``$ORGPULSE_KAFKA_LIBS`` or the repo's."""
    return default_libs_dir(REPO / ".orgpulse")


def local_broker(data_dir: Path) -> LocalBroker:
    """A (not yet started) broker in ``data_dir`` on free ports, using the shared jar cache."""
    port, controller_port = free_ports(2)
    return LocalBroker(
        data_dir, port=port, controller_port=controller_port, libs_dir=shared_libs_dir()
    )


@contextmanager
def stopped(broker: LocalBroker) -> Iterator[None]:
    """The broker stopped for the duration of the block, and started again after it."""
    broker.stop()
    try:
        yield
    finally:
        broker.start()


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


class TopicFactory:
    """Creates uniquely named topics on a broker and deletes them all in ``delete_all``."""

    def __init__(self, bootstrap: str) -> None:
        """Talk to the broker at ``bootstrap``."""
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.created: list[str] = []

    def __call__(
        self, prefix: str = "test", partitions: int = 1, config: dict[str, str] | None = None
    ) -> str:
        """Create ``<prefix>-<uuid>`` and wait until its partitions have leaders."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        topic = NewTopic(name, num_partitions=partitions, replication_factor=1, config=config or {})
        self.admin.create_topics([topic], operation_timeout=TIMEOUT_SECONDS)[name].result(
            timeout=TIMEOUT_SECONDS
        )
        self.created.append(name)
        self._await_leaders(name, partitions)
        return name

    def _await_leaders(self, name: str, partitions: int) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            topic = self.admin.list_topics(name, timeout=TIMEOUT_SECONDS).topics.get(name)
            leaders = [p.leader for p in topic.partitions.values()] if topic else []
            if topic and topic.error is None and len(leaders) == partitions and min(leaders) >= 0:
                return
            time.sleep(0.05)
        raise TimeoutError(f"topic {name} has no leaders after {TIMEOUT_SECONDS} s")

    def delete_all(self) -> None:
        """Delete every topic this factory created."""
        if not self.created:
            return
        futures = self.admin.delete_topics(self.created, operation_timeout=TIMEOUT_SECONDS)
        for future in futures.values():
            future.result(timeout=TIMEOUT_SECONDS)
        self.created.clear()
