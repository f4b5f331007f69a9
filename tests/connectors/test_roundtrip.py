"""The SDK round trip on the real broker: Emitter → topics → consumer → codec."""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest
from aiokafka.partitioner import murmur2 as aiokafka_murmur2  # type: ignore[import-untyped]
from confluent_kafka import Producer
from support.events import decoded_events
from support.kafka import end_offsets

from connectors.expected import KEY, epoch_ms, namespaced, pseudonym
from connectors.kafka_io import default_partition, murmur2, read_all
from streams.connectors.builder import RecordBuilder
from streams.connectors.emitter import DeliveryError, Emitter, producer_config
from streams.connectors.records import RawInteraction, RawPerson
from streams.kafka.codec import person_codec
from streams.model import Interaction, Person
from streams.settings import Settings

TENANT = "acme"
PEOPLE = [
    RawPerson(TENANT, "alice.smith@example.com", "search", None),
    RawPerson(TENANT, "bob.jones@example.com", "search", "alice.smith@example.com"),
    RawPerson(TENANT, "carol.white@example.com", "ads", "alice.smith@example.com"),
    RawPerson(TENANT, "deploy-bot@example.com", "automation", None, bot=True),
]
LEAVER = RawPerson(TENANT, "dave.leaver@example.com", "ads", removed=True)
T0 = epoch_ms(2024, 3, 1, 9)


def interactions(tenant: str = TENANT) -> list[RawInteraction]:
    return [
        RawInteraction(
            event_id=f"{tenant}-e1",
            tenant=tenant,
            source="slack",
            kind="request",
            occurred_at=T0,
            actor="alice.smith@example.com",
            targets=("bob.jones@example.com", "carol.white@example.com"),
            thread_id="thread-1",
            channel="general",
            artifacts=("sha1:abc",),
            weight=2.5,
            attributes={"lang": "en"},
        ),
        RawInteraction(
            event_id=f"{tenant}-e2",
            tenant=tenant,
            source="slack",
            kind="reply",
            occurred_at=T0 + 60_000,
            actor="bob.jones@example.com",
            targets=("alice.smith@example.com",),
            thread_id="thread-1",
            in_reply_to=f"{tenant}-e1",
        ),
        RawInteraction(
            event_id=f"{tenant}-e3",
            tenant=tenant,
            source="github",
            kind="review",
            occurred_at=T0 + 120_000,
            actor="carol.white@example.com",
        ),
    ]


@pytest.mark.parametrize(
    ("key", "partition"),
    [(b"", 681), (b"a", 524), (b"ab", 434), (b"abc", 107), (b"123456789", 566), (b"\x00 ", 742)],
)
def test_partitioner_matches_the_java_client(key: bytes, partition: int) -> None:
    # Partitions of 1000 that Kafka's Java DefaultPartitioner picks (kafka-python's vectors).
    assert default_partition(key, 1000) == partition
    assert murmur2(key) & 0x7FFFFFFF == aiokafka_murmur2(key) & 0x7FFFFFFF


def test_round_trip_of_interactions_people_and_tombstone(sdk_settings: Settings) -> None:
    builder = RecordBuilder(sdk_settings)
    emitter = Emitter(sdk_settings, envelopes=False)
    for person in PEOPLE:
        emitter.emit(person)
    emitter.emit(LEAVER)
    raws = interactions()
    for raw in raws:
        emitter.emit(raw)
    stats = emitter.close()
    expected_count = len(PEOPLE) + 1 + len(raws)
    assert (stats.produced, stats.delivered, stats.failed) == (expected_count, expected_count, 0)

    events = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    assert [e.key for e in events] == [TENANT.encode()] * len(raws)
    assert all(e.value is not None for e in events)
    decoded: list[Interaction] = decoded_events(sdk_settings, (e.value for e in events))
    assert decoded == [builder.interaction(raw) for raw in raws]  # same order: one partition
    first = decoded[0]
    assert first["actor"] == pseudonym(KEY, TENANT, "alice.smith@example.com")
    assert first["targets"] == [
        pseudonym(KEY, TENANT, "bob.jones@example.com"),
        pseudonym(KEY, TENANT, "carol.white@example.com"),
    ]
    assert (first["occurred_at"], first["weight"], first["kind"]) == (T0, 2.5, "request")
    assert (first["channel"], first["artifacts"], first["attributes"]) == (
        namespaced("channel", TENANT, "general"),
        [namespaced("artifact", TENANT, "sha1:abc")],
        {},
    )
    assert decoded[1]["in_reply_to"] == first["event_id"] == namespaced("event", TENANT, "acme-e1")
    assert decoded[2]["targets"] == []

    entries = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    people = person_codec(sdk_settings)
    assert len(entries) == len(PEOPLE) + 1
    expected_keys = [
        f"{TENANT}/{pseudonym(KEY, TENANT, p.person)}".encode() for p in [*PEOPLE, LEAVER]
    ]
    assert [e.key for e in entries] == expected_keys
    decoded_people: list[Person] = [people.decode(e.value) for e in entries[:-1] if e.value]
    assert decoded_people == [builder.person(p) for p in PEOPLE]
    assert decoded_people[1]["manager"] == pseudonym(KEY, TENANT, "alice.smith@example.com")
    assert decoded_people[0]["manager"] is None
    assert [p.get("bot") for p in decoded_people] == [False, False, False, True]
    assert entries[-1].value is None  # tombstone


def test_tombstone_needs_only_tenant_and_person(sdk_settings: Settings) -> None:
    # A removal (e.g. an "account deleted" webhook) knows who left, not necessarily their team.
    with Emitter(sdk_settings) as emitter:
        emitter.emit(RawPerson(TENANT, "erin.gone@example.com", removed=True))
    entries = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    key = f"{TENANT}/{pseudonym(KEY, TENANT, 'erin.gone@example.com')}".encode()
    assert [(e.key, e.value) for e in entries] == [(key, None)]


def test_each_tenant_lands_on_its_murmur2_partition(sdk_settings: Settings) -> None:
    tenants = [f"tenant-{n:02d}" for n in range(12)]
    with Emitter(sdk_settings, envelopes=False) as emitter:
        for tenant in tenants:
            for raw in interactions(tenant):
                emitter.emit(raw)
    events = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    assert len(events) == 3 * len(tenants)
    partitions: dict[bytes, set[int]] = defaultdict(set)
    for event in events:
        assert event.key is not None
        partitions[event.key].add(event.partition)
    assert partitions == {t.encode(): {default_partition(t.encode(), 4)} for t in tenants}
    assert len(set().union(*partitions.values())) > 1  # the tenants really spread out


def failing_producer(settings: Settings) -> Producer:
    return Producer({**producer_config(settings), "message.timeout.ms": 1000, "linger.ms": 5})


def test_undeliverable_records_raise_on_close(kafka_settings: Settings) -> None:
    missing = f"missing-{uuid.uuid4().hex[:12]}"  # the broker does not auto-create topics
    settings = kafka_settings.model_copy(update={"topic_interactions": missing})
    emitter = Emitter(settings, producer=failing_producer(settings))
    for raw in interactions():
        emitter.emit(raw)
    with pytest.raises(DeliveryError):
        emitter.close(timeout=20)
    assert emitter.stats.produced == 3
    assert emitter.stats.failed == 3 and emitter.stats.delivered == 0
    assert emitter.stats.pending == 0 and sum(emitter.stats.errors.values()) == 3
    assert missing not in end_offsets_topics(kafka_settings)


def end_offsets_topics(settings: Settings) -> set[str]:
    producer = Producer({"bootstrap.servers": settings.bootstrap})
    return set(producer.list_topics(timeout=10).topics)


def test_context_manager_raises_delivery_error_too(kafka_settings: Settings) -> None:
    missing = f"missing-{uuid.uuid4().hex[:12]}"
    settings = kafka_settings.model_copy(update={"topic_interactions": missing})
    emitter = Emitter(settings, producer=failing_producer(settings))
    with pytest.raises(DeliveryError), emitter:
        emitter.emit(interactions()[0])
    assert emitter.stats.failed == 1


def test_partial_failure_keeps_the_delivered_count(sdk_settings: Settings) -> None:
    missing = f"missing-{uuid.uuid4().hex[:12]}"
    settings = sdk_settings.model_copy(update={"topic_directory": missing})
    emitter = Emitter(settings, producer=failing_producer(settings), envelopes=False)
    for raw in interactions():
        emitter.emit(raw)
    emitter.emit(PEOPLE[0])
    with pytest.raises(DeliveryError):
        emitter.close(timeout=20)
    assert (emitter.stats.delivered, emitter.stats.failed) == (3, 1)
    assert sum(end_offsets(sdk_settings.bootstrap, sdk_settings.topic_interactions).values()) == 3
