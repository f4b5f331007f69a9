"""Hypothesis properties of the ingest body layer: any bytes and any JSON give records, a
``BadBody`` or per-record ``InvalidRecord`` rejections, never another exception; what is
accepted encodes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.json_values import (
    LINE_BREAKS,
    hostile_bodies,
    interaction_like,
    json_values,
    nested,
)

from streams.connectors.builder import RecordBuilder
from streams.connectors.json_records import MAX_DEPTH, json_problem, to_raw
from streams.kafka.codec import interaction_codec
from streams.records.validation import InvalidRecord
from streams.settings import Settings
from streams.web.bodies import (
    BadBody,
    UnsupportedMediaType,
    check_batch,
    check_content_type,
    parse_body,
)


@pytest.fixture(scope="module")
def builder() -> RecordBuilder:
    return RecordBuilder(Settings())


def check_and_encode(items: list[Any], builder: RecordBuilder) -> None:
    """What the endpoint does with parsed items: check, encode, answer."""
    codec = interaction_codec(builder.settings)
    rejected, accepted = check_batch(items, builder)
    for _, event in accepted:
        codec.encode(event)
    assert sorted([v.index for v in rejected] + [i for i, _ in accepted]) == list(range(len(items)))
    assert all(v.reason and v.field for v in rejected)
    json.dumps([v.as_json() for v in rejected], ensure_ascii=False).encode()  # echoes no surrogate


@settings(max_examples=300, deadline=None)
@given(hostile_bodies)
@example(b"[" * 100_000)
@example(b"\xff\xfe[]")
@example(b'"\\ud800"')
def test_any_bytes_parse_or_give_bad_body(body: bytes) -> None:
    try:
        items = parse_body(body)
    except BadBody as error:
        assert error.status == 400
        return
    assert isinstance(items, list) and items


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(interaction_like | json_values, min_size=1, max_size=5), as_array=st.booleans()
)
def test_any_json_records_are_accepted_or_rejected_one_by_one(
    items: list[Any], as_array: bool, builder: RecordBuilder
) -> None:
    as_array = as_array or isinstance(items[0], list)  # a body starting with "[" is an array
    body = json.dumps(items) if as_array else "\n".join(json.dumps(i) for i in items)
    parsed = parse_body(body.encode())
    assert len(parsed) == len(items)
    check_and_encode(parsed, builder)


@settings(max_examples=200, deadline=None)
@given(interaction_like | json_values)
def test_to_raw_raises_only_invalid_record(item: Any) -> None:
    try:
        to_raw(item)
    except InvalidRecord as error:
        assert error.reason and error.field


def good_record(**changes: Any) -> dict[str, Any]:
    base = {
        "event_id": "e1",
        "tenant": "acme",
        "source": "custom",
        "kind": "message",
        "occurred_at": 1772359200000,
        "actor": "ann",
        "targets": ["ben"],
    }
    return {**base, **changes}


@settings(max_examples=100, deadline=None)
@given(breaks=st.lists(st.text(st.sampled_from("x" + LINE_BREAKS), min_size=1), min_size=1))
def test_unicode_line_breaks_inside_ndjson_strings_keep_records_whole(
    breaks: list[str], builder: RecordBuilder
) -> None:
    items = [
        good_record(event_id=f"e{index}{text}", actor=f"a{text}", thread_id=text)
        for index, text in enumerate(breaks)
    ]
    body = "\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode()
    parsed = parse_body(body)
    assert parsed == items
    rejected, accepted = check_batch(parsed, builder)
    assert rejected == [] and [index for index, _ in accepted] == list(range(len(items)))


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"actor": "a\ud800"}, "actor", "bad_string"),
        ({"attributes": {"k\udfff": "v"}}, "attributes", "bad_string"),
        ({"weight": 10**400}, "weight", "number_out_of_range"),
        ({"weight": float("inf")}, "weight", "number_out_of_range"),
        ({"occurred_at": 2**63}, "occurred_at", "number_out_of_range"),
        ({"occurred_at": "9" * 400}, "occurred_at", "bad_timestamp"),
        ({"targets": [["x"]]}, "targets", "wrong_type"),
        ({"thread_id": json.loads(nested(MAX_DEPTH + 1, "1"))}, "thread_id", "too_deep"),
        ({"x\ud800": 1}, "record", "bad_string"),
        ({"unknown": "y" * 70_000}, "record", "too_long"),
    ],
)
def test_unsafe_values_are_rejected_with_their_field(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InvalidRecord) as raised:
        to_raw(good_record(**changes))
    assert (raised.value.field, raised.value.reason) == (field, reason)


def test_json_problem_answers_any_depth_without_recursion() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert json_problem(deep) == ("too_deep", f"nested deeper than {MAX_DEPTH} levels")
    assert json_problem(json.loads(nested(MAX_DEPTH, "1"))) is None


def test_a_record_with_a_bad_field_does_not_spoil_its_batch(builder: RecordBuilder) -> None:
    items = parse_body(
        b'[{"event_id": "e1", "tenant": "acme", "source": "custom", "kind": "message",'
        b' "occurred_at": 1772359200000, "actor": "ann", "weight": 1' + b"0" * 400 + b"},"
        b' {"event_id": "e2", "tenant": "acme", "source": "custom", "kind": "message",'
        b' "occurred_at": 1772359200000, "actor": "a\\ud800"},'
        b' {"event_id": "e3", "tenant": "acme", "source": "custom", "kind": "message",'
        b' "occurred_at": 1772359200000, "actor": "ann"}]'
    )
    rejected, accepted = check_batch(items, builder)
    assert [(v.index, v.event_id, v.reason, v.field) for v in rejected] == [
        (0, "e1", "number_out_of_range", "weight"),
        (1, "e2", "bad_string", "actor"),
    ]
    assert [index for index, _ in accepted] == [2]


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "application/x-ndjson",
        "Application/JSON; charset=UTF-8",
        'application/x-ndjson;charset="utf-8"',
    ],
)
def test_json_and_ndjson_content_types_are_accepted(header: str) -> None:
    check_content_type(header)


@pytest.mark.parametrize(
    "header", [None, "", "text/plain", "application/jsonx", "application/json; charset=latin-1"]
)
def test_other_content_types_are_415(header: str | None) -> None:
    with pytest.raises(UnsupportedMediaType) as raised:
        check_content_type(header)
    assert raised.value.status == 415
