"""Build, pseudonymize, validate, encode and produce orgpulse records."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from streams.codec import Codec
from streams.connectors.pseudonym import Pseudonymizer
from streams.connectors.records import RawInteraction, RawPerson
from streams.model import Interaction, Person
from streams.settings import Settings
from streams.timeutil import datetime_to_ms, now_ms
from streams.validation import validate_interaction, validate_person

log = logging.getLogger(__name__)


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
    """An idempotent, acks=all producer configuration for ``settings.bootstrap``."""
    return {
        "bootstrap.servers": settings.bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 20,
        "compression.type": "lz4",
        "partitioner": "murmur2_random",
        "message.timeout.ms": 120_000,
    }


class Emitter:
    """Turns plain values into valid, pseudonymized Avro records on the orgpulse topics.

    Invalid input raises :class:`~streams.validation.InvalidRecord` naming the field, before
    anything is produced. Delivery failures are counted; :meth:`close` raises
    :class:`DeliveryError` if any record was not delivered.
    """

    def __init__(self, settings: Settings, producer: Producer | None = None) -> None:
        self.settings = settings
        self.stats = DeliveryStats()
        self._pseudonym = Pseudonymizer(settings.pseudonym_key.get_secret_value().encode())
        self._interactions = Codec("orgpulse.Interaction", settings.schema_registry_url)
        self._people = Codec("orgpulse.Person", settings.schema_registry_url)
        self._producer = producer or Producer(producer_config(settings))

    def interaction(self, raw: RawInteraction) -> Interaction:
        """The validated, pseudonymized Interaction record for ``raw``."""
        pseudo = self._pseudonym
        occurred_at = raw.occurred_at
        channel = raw.channel
        if channel is not None and self.settings.pseudonymize_channels:
            channel = pseudo(raw.tenant, channel)
        record: Interaction = {
            "event_id": raw.event_id,
            "tenant": raw.tenant,
            "source": raw.source,
            "kind": raw.kind,  # type: ignore[typeddict-item]  # checked by validation below
            "occurred_at": occurred_at if isinstance(occurred_at, int) else datetime_to_ms(occurred_at),
            "actor": pseudo(raw.tenant, raw.actor) if raw.actor else "",
            "targets": [pseudo(raw.tenant, t) for t in raw.targets],
            "thread_id": raw.thread_id,
            "in_reply_to": raw.in_reply_to,
            "channel": channel,
            "artifacts": list(raw.artifacts),
            "weight": float(raw.weight),
            "attributes": dict(raw.attributes),
        }
        validate_interaction(record, now_ms(), self.settings.max_future_seconds * 1000)
        return record

    def person(self, raw: RawPerson) -> Person:
        """The validated, pseudonymized Person record for ``raw``."""
        pseudo = self._pseudonym
        record: Person = {
            "person": pseudo(raw.tenant, raw.person) if raw.person else "",
            "team": raw.team,
            "manager": pseudo(raw.tenant, raw.manager) if raw.manager else None,
            "tenant": raw.tenant,
            "bot": raw.bot,
        }
        validate_person(record)
        return record

    def emit(self, raw: RawInteraction | RawPerson) -> None:
        """Validate, encode and produce one raw record (asynchronously; see :meth:`flush`)."""
        if isinstance(raw, RawInteraction):
            event = self.interaction(raw)
            self._produce(self.settings.topic_interactions, event["tenant"],
                          self._interactions.encode(event))
        else:
            person = self.person(raw)
            key = f"{person['tenant']}/{person['person']}"
            value = None if raw.removed else self._people.encode(person)
            self._produce(self.settings.topic_directory, key, value)

    def _produce(self, topic: str, key: str, value: bytes | None) -> None:
        while True:
            try:
                self._producer.produce(topic, value=value, key=key.encode(), on_delivery=self._on_delivery)
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
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.flush()
