"""Hypothesis properties of the codec: round trips, and CodecError (never anything else) on bad
input, in both framings."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from streams.kafka import schemas
from streams.kafka.codec import REASONS, Codec, CodecError
from streams.model import KINDS

AnyCodec = Codec[dict[str, Any]]

MOCK_URL = f"mock://orgpulse-properties-{uuid.uuid4().hex}"
SINGLE = {name: AnyCodec(name) for name in schemas.RECORD_SCHEMAS}
CONFLUENT = {name: AnyCodec(name, MOCK_URL) for name in schemas.RECORD_SCHEMAS}
ALL_CODECS = [
    pytest.param(codecs[name], id=f"{framing}-{name}")
    for framing, codecs in (("single", SINGLE), ("confluent", CONFLUENT))
    for name in schemas.RECORD_SCHEMAS
]

texts = st.text(max_size=24)
longs = st.integers(-(2**63), 2**63 - 1)
doubles = st.floats(allow_nan=False)  # NaN != NaN would defeat the equality check
optional_texts = st.none() | texts

RECORDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    schemas.INTERACTION: st.fixed_dictionaries(
        {
            "event_id": texts,
            "tenant": texts,
            "source": st.sampled_from(["slack", "github", "email"]) | texts,
            "kind": st.sampled_from(KINDS),
            "occurred_at": longs,
            "actor": texts,
            "targets": st.lists(texts, max_size=6),
            "thread_id": optional_texts,
            "in_reply_to": optional_texts,
            "channel": optional_texts,
            "artifacts": st.lists(texts, max_size=3),
            "weight": doubles,
            "attributes": st.dictionaries(texts, texts, max_size=4),
        }
    ),
    schemas.PERSON: st.fixed_dictionaries(
        {"person": texts, "team": texts, "manager": optional_texts, "tenant": texts},
        optional={"bot": st.booleans()},
    ),
    schemas.ALERT: st.fixed_dictionaries(
        {
            "alert_id": texts,
            "tenant": texts,
            "kind": texts,
            "status": st.sampled_from(["firing", "resolved"]),
            "team": texts,
            "window": st.sampled_from(["1d", "7d", "28d"]),
            "value": doubles,
            "as_of": longs,
            "summary": texts,
        }
    ),
}
RECORDS[schemas.INTERACTION_BATCH] = st.fixed_dictionaries(
    {"tenant": texts, "items": st.lists(RECORDS[schemas.INTERACTION], max_size=3)}
)
DEFAULTS = {schemas.PERSON: {"bot": False}}


def decode_or_codec_error(codec: AnyCodec, data: bytes) -> dict[str, Any] | None:
    """The decoded record (checked to be valid), or None after a CodecError."""
    try:
        record = codec.decode(data)
    except CodecError as error:
        assert error.reason in REASONS
        return None
    assert schemas.compile_validator(codec.schema)(record) is None
    codec.encode(record)
    return record


# --- valid records ----------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ALL_CODECS)
@given(data=st.data())
def test_valid_records_round_trip(codec: AnyCodec, data: st.DataObject) -> None:
    record = data.draw(RECORDS[codec.schema_name])
    encoded = codec.encode(record)
    assert codec.decode(encoded) == {**DEFAULTS.get(codec.schema_name, {}), **record}


@pytest.mark.parametrize("codec", ALL_CODECS)
@given(data=st.data())
def test_every_strict_prefix_is_truncated(codec: AnyCodec, data: st.DataObject) -> None:
    encoded = codec.encode(data.draw(RECORDS[codec.schema_name]))
    cut = data.draw(st.integers(1, len(encoded) - 1))
    with pytest.raises(CodecError) as caught:
        codec.decode(encoded[:cut])
    assert caught.value.reason == "truncated"


@pytest.mark.parametrize("codec", ALL_CODECS)
@given(data=st.data(), extra=st.binary(min_size=1, max_size=16))
def test_appended_bytes_are_trailing(codec: AnyCodec, data: st.DataObject, extra: bytes) -> None:
    encoded = codec.encode(data.draw(RECORDS[codec.schema_name]))
    with pytest.raises(CodecError) as caught:
        codec.decode(encoded + extra)
    assert caught.value.reason == "trailing_bytes"


# --- adversarial bytes ------------------------------------------------------------------------


def zigzag(value: int) -> bytes:
    """Avro's zig-zag varint encoding of ``value``."""
    n = (value << 1) ^ (value >> 63)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


@pytest.mark.parametrize("codec", list(SINGLE.values()), ids=list(SINGLE))
@given(data=st.binary(max_size=256))
@example(data=b"")
@example(data=b"\xc3")
@example(data=b"\xc3\x01")
@example(data=b"\x00\x00\x00\x00\x01")
def test_random_bytes_raise_codec_error(codec: AnyCodec, data: bytes) -> None:
    with pytest.raises(CodecError) as caught:
        codec.decode(data)
    assert caught.value.reason in REASONS


@pytest.mark.parametrize("codec", list(CONFLUENT.values()), ids=list(CONFLUENT))
@given(data=st.binary(max_size=256))
def test_random_bytes_with_registry(codec: AnyCodec, data: bytes) -> None:
    # A zero byte and a registered id may well start a valid body: that must decode cleanly.
    decode_or_codec_error(codec, data)


SAMPLES: dict[str, dict[str, Any]] = {
    schemas.INTERACTION: {
        "event_id": "e1",
        "tenant": "acme",
        "source": "slack",
        "kind": "reply",
        "occurred_at": 1_700_000_000_000,
        "actor": "p1",
        "targets": ["p2"],
        "thread_id": None,
        "in_reply_to": "e0",
        "channel": None,
        "artifacts": [],
        "weight": 1.0,
        "attributes": {},
    },
    schemas.PERSON: {"person": "p1", "team": "core", "manager": None, "tenant": "acme"},
    schemas.INTERACTION_BATCH: {"tenant": "acme", "items": []},
    schemas.ALERT: {
        "alert_id": "a1",
        "tenant": "acme",
        "kind": "team_siloed",
        "status": "firing",
        "team": "core",
        "window": "7d",
        "value": -0.7,
        "as_of": 0,
        "summary": "",
    },
}


@pytest.mark.parametrize("codec", ALL_CODECS)
@settings(deadline=200)  # decoding hostile bytes must stay fast
@given(body=st.binary(max_size=256))
@example(body=zigzag(2**62))  # huge string length
@example(body=zigzag(-(2**62)) + b"abc")  # negative length
@example(body=b"\x02a\x02b\x02c\x04\x80\xa0\x02\x02d" + zigzag(2**62))  # huge array
@example(body=b"\x02a\x02b\x02c\x04" + b"\xff" * 20)  # endless varint
def test_random_body_after_a_valid_header(codec: AnyCodec, body: bytes) -> None:
    valid = codec.encode(SAMPLES[codec.schema_name])
    header = valid[: 10 if valid[0] == 0xC3 else 5]
    if decode_or_codec_error(codec, header + body) is None:
        with pytest.raises(CodecError) as caught:
            codec.decode(header + body)
        assert caught.value.reason in ("truncated", "malformed", "trailing_bytes")


# --- schema violations on encode --------------------------------------------------------------


def wrong_values(field_type: Any) -> st.SearchStrategy[Any]:
    """Values that do not fit an Avro field type of the orgpulse schemas."""
    surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
    not_text = st.integers() | st.none() | st.binary() | st.floats() | st.lists(texts, max_size=2)
    if field_type == "string":
        return not_text | surrogates
    if field_type == ["null", "string"]:
        return st.integers() | st.binary() | st.floats() | st.lists(texts, max_size=2) | surrogates
    if field_type == "double":
        return texts | st.none() | st.booleans() | st.binary() | st.lists(doubles, max_size=2)
    if field_type == "boolean":
        return st.integers() | texts | st.none() | st.floats()
    kind = field_type["type"]
    if kind == "long":
        return (
            texts
            | st.floats()
            | st.booleans()
            | st.none()
            | st.integers(min_value=2**63)
            | st.integers(max_value=-(2**63) - 1)
        )
    if kind == "enum":
        return texts.filter(lambda s: s not in field_type["symbols"]) | st.integers() | st.none()
    if kind == "array":
        return (
            texts
            | st.none()
            | st.integers()
            | st.dictionaries(texts, texts, min_size=1)
            | st.lists(st.integers() | st.none(), min_size=1, max_size=3)
        )
    if kind == "map":
        return (
            texts
            | st.none()
            | st.lists(texts, max_size=2)
            | st.dictionaries(texts, st.integers() | st.none(), min_size=1, max_size=2)
            | st.dictionaries(st.integers(), texts, min_size=1, max_size=2)
        )
    raise AssertionError(f"no wrong values for {field_type!r}")


@st.composite
def violations(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A record of schema ``name`` with one defect: a missing required field, a wrong value
    or an unknown field."""
    record = dict(draw(RECORDS[name]))
    fields = schemas.load(name)["fields"]
    defect = draw(st.sampled_from(["missing", "wrong", "unknown"]))
    if defect == "missing":
        required = [f["name"] for f in fields if "default" not in f]
        del record[draw(st.sampled_from(required))]
    elif defect == "wrong":
        field = draw(st.sampled_from(fields))
        record[field["name"]] = draw(wrong_values(field["type"]))
    else:
        known = {f["name"] for f in fields}
        record[draw(texts.filter(lambda k: k not in known))] = draw(texts)
    return record


@pytest.mark.parametrize("codec", ALL_CODECS)
@given(data=st.data())
def test_schema_violations_raise_on_encode(codec: AnyCodec, data: st.DataObject) -> None:
    record = data.draw(violations(codec.schema_name))
    with pytest.raises(CodecError) as caught:
        codec.encode(record)
    assert caught.value.reason == "schema_violation"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | st.binary(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@pytest.mark.parametrize("codec", list(SINGLE.values()), ids=list(SINGLE))
@given(value=json_values | st.dictionaries(st.text(max_size=12), json_values))
def test_encoding_anything_else_raises_codec_error(codec: AnyCodec, value: Any) -> None:
    with pytest.raises(CodecError) as caught:
        codec.encode(value)
    assert caught.value.reason == "schema_violation"
