"""Producing a batch and waiting until Kafka confirmed (or refused) every record."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from confluent_kafka import KafkaError, Message, Producer

from streams.connectors.emitter import producer_config
from streams.kafka.envelopes import Packer
from streams.model import Interaction
from streams.records.check import Codecs
from streams.settings import Settings


class ConfirmedProducer:
    """A thread-safe idempotent producer whose :meth:`send` returns per-record outcomes."""

    def __init__(self, settings: Settings, codecs: Codecs) -> None:
        self._producer = Producer({**producer_config(settings), "linger.ms": 2})
        self._settings = settings
        self._codecs = codecs

    def send_events(self, topic: str, events: Sequence[Interaction]) -> list[str | None]:
        """Produce ``events`` in envelopes, one per tenant (more beyond the envelope bounds);
        the outcome of each event is its envelope's (see :meth:`send`)."""
        positions: dict[str, list[int]] = {}
        for position, event in enumerate(events):
            positions.setdefault(event["tenant"], []).append(position)
        packer = Packer.from_settings(
            self._settings, self._codecs.interactions, self._codecs.envelopes
        )
        records: list[tuple[bytes, bytes]] = []
        owners: list[list[int]] = []
        for tenant, group in positions.items():
            start = 0
            for envelope in packer.pack([events[p] for p in group]):
                records.append((tenant.encode(), packer.encode(envelope)))
                owners.append(group[start : start + len(envelope.items)])
                start += len(envelope.items)
        outcomes: list[str | None] = ["timeout"] * len(events)
        for owned, outcome in zip(owners, self.send(topic, records), strict=True):
            for position in owned:
                outcomes[position] = outcome
        return outcomes

    def send(
        self, topic: str, records: list[tuple[bytes, bytes]], timeout: float = 30.0
    ) -> list[str | None]:
        """Produce ``(key, value)`` records; the error name of each, ``None`` when delivered.

        Blocks until every record is confirmed or ``timeout`` passes (then ``"timeout"``).
        """
        outcomes: list[str | None] = ["timeout"] * len(records)

        def report(index: int) -> Callable[[KafkaError | None, Message], None]:
            def delivered(error: KafkaError | None, _message: Message) -> None:
                outcomes[index] = None if error is None else error.name()

            return delivered

        for index, (key, value) in enumerate(records):
            self._producer.produce(topic, key=key, value=value, on_delivery=report(index))
        self._producer.flush(timeout)
        return outcomes
