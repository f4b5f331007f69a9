"""Dead-letter tools: what is in ``interactions-dlq``, and replaying it after a fix.

Replay is idempotent: every replayed dead letter is recorded in a compacted ledger topic
(``<dlq>-replayed``) after its bytes are delivered back to the interactions topic, and records
in the ledger are never replayed again. The ledger key is where the event came from:
``<source-topic>/<source-partition>:<source-offset>``, plus ``#<source-index>`` for an item of
an envelope, so two bad items of one envelope are two replays, and a record dead-lettered
twice (a batch redelivered after a crash) is replayed once. Dead letters without source
headers are keyed by their own DLQ ``partition:offset`` (the key of earlier versions, which
still counts as replayed). A replay cut short between the two steps re-submits a few
records; the worker's dedup by event id absorbs them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from confluent_kafka import KafkaError, Message, Producer

from streams.kafka.topic_reader import read_to_end
from streams.kafka.topics import TopicSpec, create_topic
from streams.settings import Settings


@dataclass(frozen=True)
class DeadLetter:
    """One DLQ record: where it is, why it is there, and its original bytes."""

    partition: int
    offset: int
    reason: str
    stage: str
    detail: str
    key: bytes | None
    value: bytes | None
    source: str = ""
    """``<topic>/<partition>:<offset>`` of the record it came from ("" if not known)."""
    index: int | None = None
    """Its position in the envelope it came from (``None``: the record's bytes, whole)."""

    @property
    def position(self) -> str:
        """Its own ``partition:offset`` in the DLQ."""
        return f"{self.partition}:{self.offset}"

    @property
    def origin(self) -> str:
        """Where its event came from: the source record, and the index in an envelope."""
        return self.source + ("" if self.index is None else f"#{self.index}")

    @property
    def ledger_key(self) -> str:
        """Its key in the replay ledger: its origin, else its DLQ position."""
        return self.origin or self.position


@dataclass
class Summary:
    """Reasons histogram and a few samples per reason."""

    total: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[DeadLetter]] = field(default_factory=dict)


def _header(message: Message, name: str) -> str:
    raw = message.headers() or []
    pairs = raw.items() if isinstance(raw, dict) else raw
    for key, value in pairs:
        if key == name and isinstance(value, bytes):
            return value.decode(errors="replace")
    return ""


def _letter(m: Message) -> DeadLetter:
    topic, partition, offset = (
        _header(m, f"source-{name}") for name in ("topic", "partition", "offset")
    )
    index = _header(m, "source-index")
    return DeadLetter(
        m.partition() or 0,
        m.offset() or 0,
        _header(m, "reason") or "unknown",
        _header(m, "stage"),
        _header(m, "detail"),
        m.key(),
        m.value(),
        f"{topic}/{partition}:{offset}" if topic and partition and offset else "",
        int(index) if index.isdigit() else None,
    )


def dead_letters(settings: Settings) -> list[DeadLetter]:
    """Every record currently in the DLQ."""
    return [_letter(m) for m in read_to_end(settings.bootstrap, settings.topic_dlq)]


def summarize(letters: list[DeadLetter], samples: int = 3) -> Summary:
    """Histogram of reasons and the first ``samples`` records of each."""
    summary = Summary(total=len(letters))
    for letter in letters:
        summary.reasons[letter.reason] += 1
        kept = summary.samples.setdefault(letter.reason, [])
        if len(kept) < samples:
            kept.append(letter)
    return summary


def ledger_topic(settings: Settings) -> str:
    """Name of the compacted topic recording replayed dead letters."""
    return f"{settings.topic_dlq}-replayed"


def replayed(settings: Settings) -> set[str]:
    """Ledger keys of the dead letters replayed so far."""
    create_topic(settings, TopicSpec(ledger_topic(settings), 1, {"cleanup.policy": "compact"}))
    return {
        (m.key() or b"").decode() for m in read_to_end(settings.bootstrap, ledger_topic(settings))
    }


def replay(settings: Settings, reasons: set[str] | None = None) -> int:
    """Re-submit dead letters (of ``reasons``, or all) not replayed before; returns the count."""
    done = replayed(settings)
    todo: dict[str, DeadLetter] = {}
    for letter in dead_letters(settings):
        if letter.ledger_key in done or letter.position in done:
            continue
        if reasons is None or letter.reason in reasons:
            todo.setdefault(letter.ledger_key, letter)
    if not todo:
        return 0
    producer = Producer(
        {
            "bootstrap.servers": settings.bootstrap,
            "enable.idempotence": True,
            "partitioner": "murmur2_random",
        }
    )
    failures: list[KafkaError] = []

    def delivered(error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            failures.append(error)

    for letter in todo.values():
        producer.produce(
            settings.topic_interactions,
            key=letter.key,
            value=letter.value,
            headers={"replayed-from": letter.ledger_key.encode()},
            on_delivery=delivered,
        )
    _flush(producer, failures)
    for key in todo:
        producer.produce(
            ledger_topic(settings),
            key=key.encode(),
            value=b"1",
            on_delivery=delivered,
        )
    _flush(producer, failures)
    return len(todo)


def _flush(producer: Producer, failures: list[KafkaError]) -> None:
    remaining = producer.flush(60)
    if remaining or failures:
        raise RuntimeError(f"replay not delivered: {remaining} pending, failures {failures[:3]}")
