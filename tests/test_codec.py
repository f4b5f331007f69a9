"""Single-object encoding: round trips, exact framing, errors and schema evolution."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_writer
from fastavro.schema import fingerprint as fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form

from streams.kafka import schemas
from streams.kafka.codec import (
    REASONS,
    SINGLE_OBJECT_MAGIC,
    Codec,
    CodecError,
    alert_codec,
    interaction_codec,
    person_codec,
)
from streams.model import Alert, Interaction, Person
from streams.settings import Settings

INTERACTION: Interaction = {
    "event_id": "slack:C024BE91L:1700000000.000100",
    "tenant": "acme",
    "source": "slack",
    "kind": "request",
    "occurred_at": 1_700_000_000_123,
    "actor": "p_3f9a2c",
    "targets": ["p_81bd00", "p_c0ffee"],
    "thread_id": "th-1",
    "in_reply_to": None,
    "channel": "#платформа-🚀",
    "artifacts": ["a_5e1d"],
    "weight": 0.75,
    "attributes": {"lang": "ru", "emoji": "🎉", "": ""},
}
SPARSE: Interaction = {
    **INTERACTION,
    "kind": "message",
    "targets": [],
    "thread_id": None,
    "channel": None,
    "artifacts": [],
    "attributes": {},
    "occurred_at": 0,
}
PERSON: Person = {"person": "p_3f9a2c", "team": "platform", "manager": None, "tenant": "acme"}
ALERT: Alert = {
    "alert_id": "acme:team_siloed:platform:firing:1700000000000",
    "tenant": "acme",
    "kind": "team_siloed",
    "status": "firing",
    "team": "platform",
    "window": "7d",
    "value": -0.82,
    "as_of": 1_700_000_000_000,
    "summary": "platform talks mostly to itself (E-I below -0.6)",
}

PLAIN = Settings(schema_registry_url=None)
"""Settings without a registry, whatever the environment says: single-object encoding."""

# Pinned: a change here means the schema's canonical form changed, i.e. a new wire version.
FINGERPRINTS = {
    schemas.INTERACTION: "394392692d8ab688",
    schemas.PERSON: "b26edc370d21db6f",
    schemas.ALERT: "03817d79f2e61024",
}


def fastavro_body(name: str, record: Any) -> bytes:
    """The Avro body fastavro writes for ``record`` with the schema file as loaded."""
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(schemas.load(name)), record)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "record"),
    [
        (schemas.INTERACTION, INTERACTION),
        (schemas.INTERACTION, SPARSE),
        (schemas.PERSON, PERSON),
        (schemas.PERSON, {**PERSON, "manager": "p_boss", "bot": True}),
        (schemas.ALERT, ALERT),
        (schemas.ALERT, {**ALERT, "status": "resolved", "value": -0.3}),
    ],
)
def test_round_trip_and_exact_framing(name: str, record: dict[str, Any]) -> None:
    codec: Codec[Any] = Codec(name)
    data = codec.encode(record)
    form = to_parsing_canonical_form(schemas.load(name))
    assert data[:2] == b"\xc3\x01"
    assert data[2:10] == bytes.fromhex(fastavro_fingerprint(form, "CRC-64-AVRO"))
    assert data[10:] == fastavro_body(name, record)
    expected = {"bot": False, **record} if name == schemas.PERSON else record
    assert codec.decode(data) == expected


def test_timestamps_decode_as_int_milliseconds() -> None:
    codec = interaction_codec(PLAIN)
    decoded = codec.decode(codec.encode(INTERACTION))
    assert type(decoded["occurred_at"]) is int
    assert decoded["occurred_at"] == 1_700_000_000_123
    alert = alert_codec(PLAIN).decode(alert_codec(PLAIN).encode(ALERT))
    assert type(alert["as_of"]) is int


def test_fingerprints_are_stable() -> None:
    for name, codec in (
        (schemas.INTERACTION, interaction_codec(PLAIN)),
        (schemas.PERSON, person_codec(PLAIN)),
        (schemas.ALERT, alert_codec(PLAIN)),
    ):
        assert codec.fingerprint == schemas.fingerprint(schemas.load(name))
        assert Codec(name).fingerprint == codec.fingerprint  # deterministic across instances
        assert codec.fingerprint.hex() == FINGERPRINTS[name]
    codecs = (interaction_codec(PLAIN), person_codec(PLAIN), alert_codec(PLAIN))
    assert len({codec.fingerprint for codec in codecs}) == 3


def test_encode_rejects_datetimes_inside_orgpulse() -> None:
    from datetime import UTC, datetime

    with pytest.raises(CodecError) as caught:
        interaction_codec(PLAIN).encode(
            {**INTERACTION, "occurred_at": datetime(2024, 1, 1, tzinfo=UTC)}  # type: ignore[typeddict-item]
        )
    assert caught.value.reason == "schema_violation"
    assert "occurred_at: expected long" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"kind": "shout"}, "kind: 'shout' is not one of"),
        ({"targets": "p_81bd00"}, "targets: expected array"),
        ({"weight": "1.0"}, "weight: expected double"),
        ({"occurred_at": 1.5}, "occurred_at: expected long"),
        ({"attributes": {"n": 1}}, "attributes: ['n']: expected string"),
        ({"thread_id": 7}, "thread_id: 7 matches no branch"),
        ({"surprise": 1}, "unknown field(s) surprise"),
        ({"actor": "\ud800"}, "'utf-8' codec can't encode"),
    ],
)
def test_encode_schema_violations(change: dict[str, Any], detail: str) -> None:
    with pytest.raises(CodecError) as caught:
        Codec[Any](schemas.INTERACTION).encode({**INTERACTION, **change})
    assert caught.value.reason == "schema_violation"
    assert detail in caught.value.detail


def test_encode_missing_required_field_but_defaults_fill_in() -> None:
    codec: Codec[Any] = Codec(schemas.INTERACTION)
    with pytest.raises(CodecError, match=r"missing field\(s\) actor"):
        codec.encode({k: v for k, v in INTERACTION.items() if k != "actor"})
    minimal = {k: v for k, v in INTERACTION.items() if k not in ("targets", "weight", "channel")}
    assert codec.decode(codec.encode(minimal)) == {
        **minimal,
        "targets": [],
        "weight": 1.0,
        "channel": None,
    }
    with pytest.raises(CodecError, match="expected record"):
        codec.encode(["not", "a", "record"])


def test_decode_errors_each_reason() -> None:
    codec = interaction_codec(PLAIN)
    data = codec.encode(INTERACTION)
    person = person_codec(PLAIN).encode(PERSON)
    # event_id, tenant and source are short ASCII strings: a one-byte length each.
    kind_at = 10 + sum(1 + len(INTERACTION[f]) for f in ("event_id", "tenant", "source"))
    cases: dict[str, bytes] = {
        "empty": b"",
        "bad_magic": b"\x00" + data[1:],
        "truncated": data[:-1],
        "unknown_schema": person,
        "malformed": data[:kind_at] + b"\x7f" + data[kind_at + 1 :],  # enum index -64
        "trailing_bytes": data + b"\x00",
    }
    assert data[kind_at] == 4  # zigzag(2) = "request"
    for reason, bad in cases.items():
        with pytest.raises(CodecError) as caught:
            codec.decode(bad)
        assert caught.value.reason == reason, (reason, caught.value)
    for bad in (b"\xc3", b"\xc3\x01\x00", data[:9]):
        with pytest.raises(CodecError, match="shorter than the header"):
            codec.decode(bad)
    with pytest.raises(CodecError, match="second byte 02"):
        codec.decode(b"\xc3\x02" + data[2:])
    assert set(REASONS) >= {"empty", "bad_magic", "truncated", "malformed", "trailing_bytes"}


def test_invalid_utf8_is_malformed() -> None:
    codec = person_codec(PLAIN)
    data = codec.encode({**PERSON, "person": "ab"})
    assert data[10:13] == b"\x04ab"
    with pytest.raises(CodecError) as caught:
        codec.decode(data[:11] + b"\xff\xfe" + data[13:])
    assert caught.value.reason == "malformed"


def test_codec_error_is_a_value_error_with_reason() -> None:
    error = CodecError("truncated", "3 bytes")
    assert isinstance(error, ValueError)
    assert (error.reason, error.detail) == ("truncated", "3 bytes")
    assert str(error) == "truncated: 3 bytes"
    assert SINGLE_OBJECT_MAGIC == b"\xc3\x01"


# --- evolution --------------------------------------------------------------------------------


def interaction_without(field: str) -> dict[str, Any]:
    """The current Interaction declaration without ``field``: an "old" version."""
    old = schemas.load(schemas.INTERACTION)
    old["fields"] = [f for f in old["fields"] if f["name"] != field]
    return old


def test_new_reader_reads_old_writer_with_added_optional_field() -> None:
    old: Codec[Any] = Codec(interaction_without("channel"))
    new = interaction_codec(PLAIN)
    assert old.fingerprint != new.fingerprint
    old_record = {k: v for k, v in INTERACTION.items() if k != "channel"}
    data = old.encode(old_record)
    with pytest.raises(CodecError) as caught:
        new.decode(data)
    assert caught.value.reason == "unknown_schema"
    assert new.register_writer_schema(old.schema) == old.fingerprint
    assert new.decode(data) == {**old_record, "channel": None}
    assert new.decode(new.encode(INTERACTION)) == INTERACTION  # current version still fine


def test_old_reader_reads_new_writer_dropping_the_new_field() -> None:
    old: Codec[Any] = Codec(interaction_without("channel"))
    new = interaction_codec(PLAIN)
    old.register_writer_schema(schemas.load(schemas.INTERACTION))
    decoded = old.decode(new.encode(INTERACTION))
    assert decoded == {k: v for k, v in INTERACTION.items() if k != "channel"}


def test_register_writer_schema_accepts_json_text() -> None:
    import json

    new = person_codec(PLAIN)
    old_declaration = schemas.load(schemas.PERSON)
    old_declaration["fields"] = old_declaration["fields"][:4]  # before `bot` existed
    fingerprint = new.register_writer_schema(json.dumps(old_declaration))
    assert fingerprint == schemas.fingerprint(old_declaration)
    old: Codec[Any] = Codec(old_declaration)
    assert new.decode(old.encode(PERSON)) == {**PERSON, "bot": False}


def test_unresolvable_writer_is_incompatible_schema() -> None:
    writer: Codec[Any] = Codec(interaction_without("actor"))
    reader = interaction_codec(PLAIN)
    reader.register_writer_schema(writer.schema)
    with pytest.raises(CodecError) as caught:
        reader.decode(writer.encode({k: v for k, v in INTERACTION.items() if k != "actor"}))
    assert caught.value.reason == "incompatible_schema"
    assert "actor" in caught.value.detail
