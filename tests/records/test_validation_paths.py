"""Random records near every limit: the checks accept and reject exactly as the reference
(the field-by-field checks before the one-pass path), with the same field, reason and
detail; a record that fits the one-pass path is valid."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.model import KINDS
from streams.records import validation
from streams.records.validation import (
    MAX_ARTIFACTS,
    MAX_ATTRIBUTE_KEY_LENGTH,
    MAX_ATTRIBUTE_VALUE_LENGTH,
    MAX_ATTRIBUTES,
    MAX_ID_LENGTH,
    MAX_RECORD_BYTES,
    MAX_SOURCE_LENGTH,
    MAX_TARGETS_HARD,
    InvalidRecord,
    validate_interaction,
)

from . import validation_ref

NOW_MS = 1_780_000_000_000
FUTURE_MS = 300_000
CHARACTERS = ["a", "Z", "-", " ", "\t", "\x1f", "é", "😀", "\ud800", "\x00"]
"""ASCII, whitespace (also ASCII separators), 2- and 4-byte UTF-8, a lone surrogate, NUL."""
NOT_STRINGS: list[Any] = [None, 0, 1.5, b"abc", ("a",), True]


class Text(str):
    """A str subclass: valid text, but not the plain type."""


def near(limit: int) -> st.SearchStrategy[int]:
    """Lengths around a limit."""
    return st.sampled_from([0, 1, 2, limit - 1, limit, limit + 1])


@st.composite
def texts(draw: st.DrawFn, limit: int) -> Any:
    """A string of up to two kinds of characters with a length near ``limit``, or sometimes a
    value that is not a plain string."""
    if draw(st.integers(0, 15)) == 0:
        return draw(st.sampled_from([*NOT_STRINGS, Text("abc")]))
    length = draw(near(limit))
    first, second = draw(st.sampled_from(CHARACTERS)), draw(st.sampled_from(CHARACTERS))
    cut = draw(st.integers(0, length))
    return first * cut + second * (length - cut)


@st.composite
def id_lists(draw: st.DrawFn, most: int) -> Any:
    """A list of ids whose count is near ``most``: many copies of one or two ids."""
    if draw(st.integers(0, 15)) == 0:
        return draw(st.sampled_from([None, "a", ("a",), {"a": "b"}]))
    if draw(st.integers(0, 3)) == 0:  # long ASCII ids, all strings together near the limit
        length = draw(st.sampled_from([510, 511, 512]))
        return ["i" * length] * min(most, MAX_RECORD_BYTES // length + draw(st.integers(-1, 1)))
    count = draw(st.sampled_from([0, 1, 2, 3, 127, 128, 129, most - 1, most, most + 1]))
    common, odd = draw(texts(MAX_ID_LENGTH)), draw(texts(MAX_ID_LENGTH))
    values = [common] * count
    if values:
        values[draw(st.integers(0, count - 1))] = odd
    return values


@st.composite
def attribute_maps(draw: st.DrawFn) -> Any:
    """Attributes with entry counts, key and value lengths near their limits."""
    if draw(st.integers(0, 15)) == 0:
        return draw(st.sampled_from([None, ["k", "v"], {1: "v"}, {"k": 1}]))
    count = draw(st.sampled_from([0, 1, 2, MAX_ATTRIBUTES, MAX_ATTRIBUTES + 1]))
    keys = [f"k{n}" for n in range(count)]
    if keys:
        keys[0] = draw(texts(MAX_ATTRIBUTE_KEY_LENGTH))
    value = draw(texts(MAX_ATTRIBUTE_VALUE_LENGTH))
    return {key: value for key in keys}


TIMES = [0, -1, 1, NOW_MS, NOW_MS + FUTURE_MS, NOW_MS + FUTURE_MS + 1, 2**80, True, 1.0, None]
WEIGHTS: list[Any] = [1.0, 1, 1e-6, 1e6, 10**6, 10**6 + 1, 0.0, -1.0, 9e-7, 1e6 * (1 + 1e-15)]
WEIGHTS += [float("nan"), float("inf"), True, "1", None, 2**70, 1e303]


VALID: dict[str, Any] = {
    "event_id": "e1",
    "tenant": "acme",
    "source": "slack",
    "kind": "message",
    "occurred_at": NOW_MS,
    "actor": "a1",
    "targets": ["b1"],
    "thread_id": None,
    "in_reply_to": None,
    "channel": None,
    "artifacts": [],
    "weight": 1.0,
    "attributes": {},
}
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "event_id": texts(MAX_ID_LENGTH),
    "tenant": texts(MAX_ID_LENGTH),
    "source": texts(MAX_SOURCE_LENGTH),
    "kind": st.sampled_from([*KINDS, "shout", "", None]),
    "occurred_at": st.sampled_from(TIMES),
    "actor": texts(MAX_ID_LENGTH),
    "targets": id_lists(MAX_TARGETS_HARD),
    "thread_id": st.one_of(st.none(), texts(MAX_ID_LENGTH)),
    "in_reply_to": st.one_of(st.none(), texts(MAX_ID_LENGTH)),
    "channel": st.one_of(st.none(), texts(MAX_ID_LENGTH)),
    "artifacts": id_lists(MAX_ARTIFACTS),
    "weight": st.sampled_from(WEIGHTS),
    "attributes": attribute_maps(),
}


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record with one to three fields drawn near their limits (or of another type,
    or missing), so that a record often breaks exactly one rule, or none."""
    record = dict(VALID)
    for field in draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3)):
        if draw(st.integers(0, 20)) == 0:
            record.pop(field, None)
        else:
            record[field] = draw(FIELDS[field])
    return record


def outcome(check: Any, record: dict[str, Any]) -> tuple[str, ...] | None:
    """``None`` if ``check`` accepts ``record``, else what it raised."""
    try:
        check(record, NOW_MS, FUTURE_MS)
    except (InvalidRecord, validation_ref.InvalidRecord) as error:
        return (error.field, error.reason, str(error))
    except Exception as error:
        return (type(error).__name__,)
    return None


@settings(max_examples=1500, deadline=None)
@given(records())
def test_every_record_gets_the_reference_outcome(record: dict[str, Any]) -> None:
    expected = outcome(validation_ref.validate_interaction, record)
    assert outcome(validate_interaction, record) == expected
    if validation._plainly_valid(record, NOW_MS, FUTURE_MS):
        assert expected is None
