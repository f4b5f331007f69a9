"""Producing a batch and waiting until Kafka confirmed (or refused) every record."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka import KafkaError, Message, Producer

from streams.connectors.emitter import producer_config
from streams.settings import Settings


class ConfirmedProducer:
    """A thread-safe idempotent producer whose :meth:`send` returns per-record outcomes."""

    def __init__(self, settings: Settings) -> None:
        self._producer = Producer({**producer_config(settings), "linger.ms": 2})

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
