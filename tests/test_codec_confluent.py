"""Confluent Schema Registry framing, against confluent-kafka's in-process ``mock://`` registry.

No real registry runs on the development machines; the mock is the library's own
``MockSchemaRegistryClient``, which ``SchemaRegistryClient.new_client`` returns for
``mock://`` URLs.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from fastavro import parse_schema, schemaless_writer
from test_codec import INTERACTION, PERSON, interaction_without

from streams.kafka import schemas
from streams.kafka.codec import Codec, CodecError, interaction_codec, person_codec, registry_client
from streams.settings import Settings


@pytest.fixture
def url() -> str:
    """A fresh mock registry per test (codecs on one URL share its store)."""
    return f"mock://orgpulse-{uuid.uuid4().hex}"


def body(name: str, record: Any) -> bytes:
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(schemas.load(name)), record)
    return buffer.getvalue()


def test_round_trip_and_framing(url: str) -> None:
    codec = interaction_codec(Settings(schema_registry_url=url))
    data = codec.encode(INTERACTION)
    registered = registry_client(url).get_latest_version(schemas.INTERACTION)
    assert data[0] == 0
    assert data[1:5] == registered.schema_id.to_bytes(4, "big")
    assert data[5:] == body(schemas.INTERACTION, INTERACTION)
    assert json.loads(registered.schema.schema_str) == schemas.load(schemas.INTERACTION)
    decoded = codec.decode(data)
    assert decoded == INTERACTION
    assert type(decoded["occurred_at"]) is int


def test_each_type_gets_its_own_subject_and_id(url: str) -> None:
    interaction = interaction_codec(Settings(schema_registry_url=url)).encode(INTERACTION)
    person_codec_ = person_codec(Settings(schema_registry_url=url))
    person = person_codec_.encode(PERSON)
    assert interaction[1:5] != person[1:5]
    assert person_codec_.decode(person) == {**PERSON, "bot": False}
    assert set(registry_client(url).get_subjects()) == {schemas.INTERACTION, schemas.PERSON}
    with pytest.raises(CodecError) as caught:
        person_codec_.decode(interaction)
    assert caught.value.reason == "incompatible_schema"


def test_interoperates_with_stock_serializer_and_deserializer(url: str) -> None:
    client = registry_client(url)
    ctx = SerializationContext("interactions", MessageField.VALUE)
    stock = AvroSerializer(client, json.dumps(schemas.load(schemas.INTERACTION)))
    codec: Codec[Any] = Codec(schemas.INTERACTION, url)
    assert codec.decode(stock(INTERACTION, ctx)) == INTERACTION  # subject interactions-value
    decoded = AvroDeserializer(client)(codec.encode(INTERACTION), ctx)
    assert decoded["occurred_at"].timestamp() * 1000 == INTERACTION["occurred_at"]  # datetime


def test_decodes_single_object_framing_too(url: str) -> None:
    plain = interaction_codec(Settings(schema_registry_url=None))
    assert Codec[Any](schemas.INTERACTION, url).decode(plain.encode(INTERACTION)) == INTERACTION
    with pytest.raises(CodecError) as caught:
        plain.decode(Codec[Any](schemas.INTERACTION, url).encode(INTERACTION))
    assert caught.value.reason == "bad_magic"


def test_evolution_through_the_registry(url: str) -> None:
    old: Codec[Any] = Codec(interaction_without("channel"), url)
    new: Codec[Any] = Codec(schemas.INTERACTION, url)
    old_record = {k: v for k, v in INTERACTION.items() if k != "channel"}
    old_data = old.encode(old_record)
    new_data = new.encode(INTERACTION)
    assert old_data[1:5] != new_data[1:5]
    assert new.decode(old_data) == {**old_record, "channel": None}
    assert old.decode(new_data) == old_record


def test_decode_errors(url: str) -> None:
    codec: Codec[Any] = Codec(schemas.INTERACTION, url)
    data = codec.encode(INTERACTION)
    cases = {
        "empty": b"",
        "bad_magic": b"\x01" + data[1:],
        "unknown_schema": b"\x00" + (2**31 - 1).to_bytes(4, "big") + data[5:],
        "truncated": data[:-1],
        "trailing_bytes": data + b"\x00",
    }
    for reason, bad in cases.items():
        with pytest.raises(CodecError) as caught:
            codec.decode(bad)
        assert caught.value.reason == reason, (reason, caught.value)
    for short in (b"\x00", data[:4]):
        with pytest.raises(CodecError, match="shorter than the header"):
            codec.decode(short)


def test_non_avro_registry_schema_is_incompatible(url: str) -> None:
    client = registry_client(url)
    schema_id = client.register_schema("other", Schema('{"type": "object"}', "JSON"))
    data = b"\x00" + schema_id.to_bytes(4, "big") + b"\x02"
    with pytest.raises(CodecError) as caught:
        Codec[Any](schemas.INTERACTION, url).decode(data)
    assert caught.value.reason == "incompatible_schema"


def test_encode_validates_before_registering(url: str) -> None:
    codec: Codec[Any] = Codec(schemas.INTERACTION, url)
    with pytest.raises(CodecError) as caught:
        codec.encode({**INTERACTION, "targets": "p_81bd00"})
    assert caught.value.reason == "schema_violation"
    assert registry_client(url).get_subjects() == []
    with pytest.raises(CodecError) as caught:
        codec.encode({**INTERACTION, "actor": "\udc80"})
    assert caught.value.reason == "schema_violation"


def test_unreachable_registry_is_registry_error() -> None:
    codec: Codec[Any] = Codec(schemas.PERSON, "http://127.0.0.1:9")
    with pytest.raises(CodecError) as caught:
        codec.encode(PERSON)
    assert caught.value.reason == "registry_error"
    with pytest.raises(CodecError) as caught:
        codec.decode(b"\x00\x00\x00\x00\x01\x02")
    assert caught.value.reason == "registry_error"
