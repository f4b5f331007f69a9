"""Records written in transactions leave offsets without a record (the commit markers): the
broker's answer tells them apart from records the consumer skipped, and the worker applies
every event of a transactional producer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from confluent_kafka import Producer
from faults.test_poison_records import offline, organizations, produce
from support.expected import PROCESSED
from support.kafka import TopicFactory
from support.worker import WorkerProcess

from streams.agents.tenant_table import tenant_partition
from streams.kafka.codec import interaction_codec
from streams.kafka.group_offsets import first_offset_from
from streams.model import Interaction
from streams.settings import Settings

PER_TRANSACTION = 25


def transactional(bootstrap: str) -> Producer:
    """A producer that writes in transactions, as a Java client with ``transactional.id``."""
    producer = Producer(
        {"bootstrap.servers": bootstrap, "transactional.id": f"test-{uuid.uuid4().hex}"}
    )
    producer.init_transactions(30)
    return producer


def in_transactions(
    producer: Producer,
    topic: str,
    records: Iterable[tuple[bytes, bytes]],
    size: int,
    partition: int = 0,
) -> None:
    """Write ``records`` to ``partition`` of ``topic`` in transactions of ``size`` records."""
    batch: list[tuple[bytes, bytes]] = []
    for record in [*records, None]:
        if record is not None:
            batch.append(record)
        if batch and (record is None or len(batch) == size):
            producer.begin_transaction()
            for key, value in batch:
                producer.produce(topic, key=key, value=value, partition=partition)
            producer.commit_transaction(30)
            batch = []


def test_the_first_record_after_an_offset_skips_transaction_markers(
    kafka_bootstrap: str, topic_factory: TopicFactory
) -> None:
    topic = topic_factory(prefix="transactions")
    values = [(b"k", str(n).encode()) for n in range(5)]
    in_transactions(transactional(kafka_bootstrap), topic, values, 3)
    # offsets: records 0 1 2, marker 3, records 4 5, marker 6
    found = {at: first_offset_from(kafka_bootstrap, topic, 0, at) for at in range(8)}
    assert found == {0: 0, 1: 1, 2: 2, 3: 4, 4: 4, 5: 5, 6: None, 7: None}


def events_of(tenant: str, good: Sequence[Interaction]) -> list[Interaction]:
    return [e for e in good if e["tenant"] == tenant][:400]


def test_every_event_of_a_transactional_producer_is_applied(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    people, good = organizations()
    acme = events_of("acme", good)
    produce(pipeline, people, [])  # the directory first, as a connector would
    codec = interaction_codec(pipeline)
    records = ((e["tenant"].encode(), codec.encode(e)) for e in acme)
    in_transactions(
        transactional(pipeline.bootstrap),
        pipeline.topic_interactions,
        records,
        PER_TRANSACTION,
        tenant_partition("acme", pipeline.partitions),
    )
    expected = offline(pipeline, people, acme).state("acme")
    worker.wait_counted(len(acme))
    assert worker.counter_by(PROCESSED, "tenant") == {"acme": len(acme)}
    worker.await_snapshots("acme", {w: expected.snapshot(w) for w in pipeline.windows})
    assert worker.healthy()  # no fail-stop at the markers
