"""Build, pseudonymize, validate, encode and produce orgpulse records."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawInteraction, RawPerson
from streams.kafka.codec import envelope_codec, interaction_codec, person_codec
from streams.kafka.envelopes import Envelope, Packer
from streams.model import Interaction
from streams.settings import Settings

log = logging.getLogger(__name__)
KAFKA_LOG = logging.getLogger("streams.kafka")
"""librdkafka's own log lines, routed through Python logging instead of raw stderr."""


class DeliveryError(RuntimeError):
    """Some records could not be delivered to Kafka; nothing is dropped silently."""


@dataclass
class DeliveryStats:
    """What happened to the records handed to an :class:`Emitter`, counted per event (an
    envelope's delivery counts for each of its events)."""

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
    logs warnings and notices to :data:`KAFKA_LOG` (served by ``poll``/``flush``), so it
    never writes to stderr."""
    return {
        "logger": KAFKA_LOG,
        # up to notice: librdkafka prints what it logs while a producer is destroyed (e.g.
        # its info line on purging the background queue) to stderr, past the logger
        "log_level": 5,
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

    Interactions go in ``orgpulse.InteractionBatch`` envelopes of one tenant (key: tenant),
    bounded by ``settings.envelope_max_events`` and ``envelope_max_bytes``; a partial envelope
    is sent after ``envelope_linger_seconds`` (by a background thread), on :meth:`flush` and on
    :meth:`close`. With ``envelopes=False`` each interaction is one single-object record.
    Directory entries are always single records. Invalid input raises
    :class:`~streams.records.validation.InvalidRecord` naming the field, before anything is
    produced. Delivery failures are counted per event; :meth:`close` raises
    :class:`DeliveryError` if any event was not delivered.
    """

    def __init__(
        self, settings: Settings, producer: Producer | None = None, *, envelopes: bool = True
    ) -> None:
        self.settings = settings
        self.stats = DeliveryStats()
        self.builder = RecordBuilder(settings)
        self._interactions = interaction_codec(settings)
        self._people = person_codec(settings)
        self._producer = producer or Producer(producer_config(settings))
        self._lock = threading.RLock()
        self._packer = (
            Packer.from_settings(settings, self._interactions, envelope_codec(settings))
            if envelopes
            else None
        )
        self._closed = threading.Event()
        self._linger: threading.Thread | None = None

    def emit(self, raw: RawInteraction | RawPerson) -> None:
        """Validate, encode and produce one raw record (asynchronously; see :meth:`flush`)."""
        if isinstance(raw, RawInteraction):
            event = self.builder.interaction(raw)
            if self._packer is None:
                single = self._interactions.encode(event)
                self._produce(self.settings.topic_interactions, event["tenant"], single)
            else:
                self._pack(event)
        else:
            person = self.builder.person(raw)
            key = f"{person['tenant']}/{person['person']}"
            value = None if raw.removed else self._people.encode(person)
            self._produce(self.settings.topic_directory, key, value)

    def _pack(self, event: Interaction) -> None:
        assert self._packer is not None
        with self._lock:
            closed = self._packer.add(event, time.monotonic())
            if closed is not None:
                self._send(closed)
        if self._linger is None:
            self._linger = threading.Thread(target=self._send_lingering, daemon=True)
            self._linger.start()

    def _send_lingering(self) -> None:
        """Send the envelopes open for longer than the linger, until :meth:`close`."""
        assert self._packer is not None
        linger = self.settings.envelope_linger_seconds
        while not self._closed.wait(max(linger / 2, 0.005)):
            with self._lock:
                for envelope in self._packer.drain(time.monotonic() - linger):
                    self._send(envelope)

    def _send(self, envelope: Envelope) -> None:
        assert self._packer is not None
        value = self._packer.encode(envelope)
        self._produce(self.settings.topic_interactions, envelope.tenant, value, len(envelope.items))

    def _produce(self, topic: str, key: str, value: bytes | None, events: int = 1) -> None:
        with self._lock:
            while True:
                try:
                    self._producer.produce(
                        topic,
                        value=value,
                        key=key.encode(),
                        on_delivery=partial(self._on_delivery, events),
                    )
                    break
                except BufferError:
                    self._producer.poll(0.1)
            self.stats.produced += events
            self._producer.poll(0)

    def _on_delivery(self, events: int, error: KafkaError | None, message: Message) -> None:
        if error is None:
            self.stats.delivered += events
            return
        self.stats.failed += events
        name = error.name()
        self.stats.errors[name] = self.stats.errors.get(name, 0) + events
        log.error("delivery of %d events to %s failed: %s", events, message.topic(), name)

    def flush(self, timeout: float = 60.0) -> int:
        """Send the open envelopes and wait for outstanding deliveries; returns how many
        events are still pending."""
        with self._lock:
            if self._packer is not None:
                for envelope in self._packer.drain():
                    self._send(envelope)
            self._producer.flush(timeout)
            return self.stats.pending

    def close(self, timeout: float = 60.0) -> DeliveryStats:
        """Flush and raise :class:`DeliveryError` if any event failed or is still pending."""
        self._closed.set()
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
            self._closed.set()
            self.flush()
