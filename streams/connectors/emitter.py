"""Build, pseudonymize, validate, encode and produce orgpulse records."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawInteraction, RawPerson
from streams.kafka.codec import interaction_codec, person_codec
from streams.settings import Settings

log = logging.getLogger(__name__)
KAFKA_LOG = logging.getLogger("streams.kafka")
"""librdkafka's own log lines, routed through Python logging instead of raw stderr."""


class DeliveryError(RuntimeError):
    """Some records could not be delivered to Kafka; nothing is dropped silently."""


@dataclass
class DeliveryStats:
    """What happened to the records handed to an :class:`Emitter`."""

    produced: int = 0
    delivered: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        """Records produced but neither delivered nor failed yet."""
        return self.produced - self.delivered - self.failed


def producer_config(settings: Settings) -> dict[str, Any]:
    """An idempotent, acks=all producer configuration for ``settings.bootstrap``; librdkafka
    logs to :data:`KAFKA_LOG` (served by ``poll``/``flush``), so it never writes to stderr."""
    return {
        "logger": KAFKA_LOG,
        "bootstrap.servers": settings.bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 20,
        "compression.type": "lz4",
        "partitioner": "murmur2_random",
        "message.timeout.ms": 120_000,
    }


class Emitter:
    """Produces valid, pseudonymized Avro records (see :class:`RecordBuilder`) to Kafka.

    Invalid input raises :class:`~streams.records.validation.InvalidRecord` naming the field, before
    anything is produced. Delivery failures are counted; :meth:`close` raises
    :class:`DeliveryError` if any record was not delivered.
    """

    def __init__(self, settings: Settings, producer: Producer | None = None) -> None:
        self.settings = settings
        self.stats = DeliveryStats()
        self.builder = RecordBuilder(settings)
        self._interactions = interaction_codec(settings)
        self._people = person_codec(settings)
        self._producer = producer or Producer(producer_config(settings))

    def emit(self, raw: RawInteraction | RawPerson) -> None:
        """Validate, encode and produce one raw record (asynchronously; see :meth:`flush`)."""
        if isinstance(raw, RawInteraction):
            event = self.builder.interaction(raw)
            self._produce(
                self.settings.topic_interactions, event["tenant"], self._interactions.encode(event)
            )
        else:
            person = self.builder.person(raw)
            key = f"{person['tenant']}/{person['person']}"
            value = None if raw.removed else self._people.encode(person)
            self._produce(self.settings.topic_directory, key, value)

    def _produce(self, topic: str, key: str, value: bytes | None) -> None:
        while True:
            try:
                self._producer.produce(
                    topic, value=value, key=key.encode(), on_delivery=self._on_delivery
                )
                break
            except BufferError:
                self._producer.poll(0.1)
        self.stats.produced += 1
        self._producer.poll(0)

    def _on_delivery(self, error: KafkaError | None, message: Message) -> None:
        if error is None:
            self.stats.delivered += 1
            return
        self.stats.failed += 1
        name = error.name()
        self.stats.errors[name] = self.stats.errors.get(name, 0) + 1
        log.error("delivery to %s failed: %s", message.topic(), name)

    def flush(self, timeout: float = 60.0) -> int:
        """Wait for outstanding deliveries; returns how many are still pending."""
        return int(self._producer.flush(timeout))

    def close(self, timeout: float = 60.0) -> DeliveryStats:
        """Flush and raise :class:`DeliveryError` if any record failed or is still pending."""
        self.flush(timeout)
        if self.stats.failed or self.stats.pending:
            raise DeliveryError(
                f"{self.stats.failed} records failed and {self.stats.pending} are undelivered: "
                f"{self.stats.errors}"
            )
        return self.stats

    def __enter__(self) -> Emitter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.flush()
