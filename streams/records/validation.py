"""Semantic checks of records beyond the Avro schema, shared by connectors and the worker.

The schema guarantees types; these rules guarantee that a record makes sense and that the
analytics can hold it (README "Record limits"):

- ids (``event_id``, ``tenant``, ``actor``, every target, every artifact) are non-blank
  strings of at most :data:`MAX_ID_LENGTH` characters; ``source`` at most
  :data:`MAX_SOURCE_LENGTH`; ``thread_id``, ``in_reply_to`` and ``channel`` are absent or at
  most :data:`MAX_ID_LENGTH`; attribute keys are non-blank and at most
  :data:`MAX_ATTRIBUTE_KEY_LENGTH`, attribute values at most :data:`MAX_ATTRIBUTE_VALUE_LENGTH`;
- every string is valid Unicode (no lone surrogates), and all strings of a record together
  take at most :data:`MAX_RECORD_BYTES` bytes of UTF-8, which bounds what one event adds to
  a persisted delta (:mod:`streams.analytics.journal`);
- at most :data:`MAX_TARGETS_HARD` targets, :data:`MAX_ARTIFACTS` artifacts and
  :data:`MAX_ATTRIBUTES` attributes;
- :data:`MIN_WEIGHT` ≤ weight ≤ :data:`MAX_WEIGHT`, so that every weight is a positive exact
  number of micro-units (:mod:`streams.analytics.pairs`);
- ``occurred_at`` in epoch milliseconds, from 1970-01-01 to ``max_future`` ahead of now.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from streams.model import KINDS

MAX_ID_LENGTH = 512
MAX_SOURCE_LENGTH = 64
MAX_TARGETS_HARD = 1000
"""Beyond this many targets an event is rejected; above max_targets it is a broadcast."""
MAX_ARTIFACTS = 100
MAX_ATTRIBUTES = 32
MAX_ATTRIBUTE_KEY_LENGTH = 64
MAX_ATTRIBUTE_VALUE_LENGTH = 1024
MAX_RECORD_BYTES = 64 * 1024
"""All strings of one record together, in UTF-8 bytes."""
MIN_WEIGHT = 1e-6
MAX_WEIGHT = 1e6
MIN_OCCURRED_AT_MS = 0
OPTIONAL_STRINGS = ("thread_id", "in_reply_to", "channel")


class InvalidRecord(ValueError):
    """A record breaks a rule; ``field`` names the offending field, ``reason`` is a short code."""

    def __init__(self, field: str, reason: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.reason = reason


def _utf8_bytes(field: str, value: str, limit: int) -> int:
    """The UTF-8 size of a string of at most ``limit`` characters that is valid Unicode."""
    if len(value) > limit:
        raise InvalidRecord(field, "too_long", f"longer than {limit} characters")
    if value.isascii():  # one byte per character, no surrogates
        return len(value)
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise InvalidRecord(field, "bad_string", "not valid Unicode (lone surrogate)") from error


def _text(record: Mapping[str, Any], field: str, limit: int = MAX_ID_LENGTH) -> int:
    """Check a required non-blank string; returns its UTF-8 size."""
    value = record.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(field, "missing_field", "must be a non-empty string")
    return _utf8_bytes(field, value, limit)


def _optional_text(record: Mapping[str, Any], field: str) -> int:
    value = record.get(field)
    if value is None:
        return 0
    if not isinstance(value, str):
        raise InvalidRecord(field, "wrong_type", "must be a string or null")
    return _utf8_bytes(field, value, MAX_ID_LENGTH)


def _id_list(record: Mapping[str, Any], field: str, limit: int, reason: str) -> int:
    values = record.get(field)
    if not isinstance(values, list):
        raise InvalidRecord(field, "wrong_type", "must be a list of strings")
    if len(values) > limit:
        raise InvalidRecord(field, reason, f"{len(values)} entries, limit {limit}")
    if any(not isinstance(v, str) or not v for v in values):
        raise InvalidRecord(field, "wrong_type", "entries must be non-empty strings")
    size = 0
    for value in values:
        size += _utf8_bytes(field, value, MAX_ID_LENGTH)
    return size


def _attributes(record: Mapping[str, Any]) -> int:
    attributes = record.get("attributes", {})
    if not isinstance(attributes, Mapping):
        raise InvalidRecord("attributes", "wrong_type", "must map strings to strings")
    if len(attributes) > MAX_ATTRIBUTES:
        detail = f"{len(attributes)} entries, limit {MAX_ATTRIBUTES}"
        raise InvalidRecord("attributes", "too_many_attributes", detail)
    size = 0
    for key, value in attributes.items():
        if not isinstance(key, str) or not key.strip() or not isinstance(value, str):
            raise InvalidRecord("attributes", "wrong_type", "must map non-empty strings to strings")
        size += _utf8_bytes("attributes", key, MAX_ATTRIBUTE_KEY_LENGTH)
        size += _utf8_bytes("attributes", value, MAX_ATTRIBUTE_VALUE_LENGTH)
    return size


def _check_time(record: Mapping[str, Any], now_ms: int, max_future_ms: int) -> None:
    occurred_at = record.get("occurred_at")
    if not isinstance(occurred_at, int) or isinstance(occurred_at, bool):
        raise InvalidRecord("occurred_at", "missing_field", "must be epoch milliseconds")
    if occurred_at < MIN_OCCURRED_AT_MS:
        raise InvalidRecord("occurred_at", "bad_timestamp", "before 1970-01-01")
    if occurred_at > now_ms + max_future_ms:
        raise InvalidRecord("occurred_at", "future_timestamp", "too far in the future")


def _check_weight(record: Mapping[str, Any]) -> None:
    weight = record.get("weight")
    if (
        not isinstance(weight, int | float)
        or isinstance(weight, bool)
        or not math.isfinite(weight)
        or not MIN_WEIGHT <= weight <= MAX_WEIGHT
    ):
        detail = f"must be a number from {MIN_WEIGHT:g} to {MAX_WEIGHT:g}"
        raise InvalidRecord("weight", "bad_weight", detail)


def validate_interaction(record: Mapping[str, Any], now_ms: int, max_future_ms: int) -> None:
    """Raise :class:`InvalidRecord` unless ``record`` is an Interaction the analytics can hold.

    ``now_ms`` is the wall clock; events more than ``max_future_ms`` ahead of it are rejected.
    Never raises anything else, whatever ``record`` holds. A record of plain types and ASCII
    text is accepted in one pass (:func:`_plainly_valid`); any other record, valid or not,
    goes through :func:`check_fields`, which decides the reason.
    """
    if not _plainly_valid(record, now_ms, max_future_ms):
        check_fields(record, now_ms, max_future_ms)


def check_fields(record: Mapping[str, Any], now_ms: int, max_future_ms: int) -> None:
    """The checks of :func:`validate_interaction` field by field, in the order that decides
    the reason of a record breaking several rules."""
    size = _text(record, "event_id") + _text(record, "tenant") + _text(record, "actor")
    size += _text(record, "source", MAX_SOURCE_LENGTH)
    if record.get("kind") not in KINDS:
        raise InvalidRecord("kind", "bad_kind", f"must be one of {', '.join(KINDS)}")
    _check_time(record, now_ms, max_future_ms)
    size += _id_list(record, "targets", MAX_TARGETS_HARD, "too_many_targets")
    size += _id_list(record, "artifacts", MAX_ARTIFACTS, "too_many_artifacts")
    for field in OPTIONAL_STRINGS:
        size += _optional_text(record, field)
    size += _attributes(record)
    if size > MAX_RECORD_BYTES:
        detail = f"its strings take {size} bytes, limit {MAX_RECORD_BYTES}"
        raise InvalidRecord("record", "too_large", detail)
    _check_weight(record)


_REQUIRED = (
    ("event_id", MAX_ID_LENGTH),
    ("tenant", MAX_ID_LENGTH),
    ("actor", MAX_ID_LENGTH),
    ("source", MAX_SOURCE_LENGTH),
)


def _plainly_valid(record: Mapping[str, Any], now_ms: int, max_future_ms: int) -> bool:
    """Whether ``record`` keeps every rule with exact builtin types (``str``, ``list``,
    ``dict``, ``int``/``float``) and ASCII text, whose UTF-8 size is its length; ``False``
    for anything else, valid or not (then :func:`check_fields` decides)."""
    get = record.get
    size = 0
    for field, limit in _REQUIRED:
        value = get(field)
        if type(value) is not str or not value.isascii() or len(value) > limit:
            return False
        if not value.strip():
            return False
        size += len(value)
    for field in OPTIONAL_STRINGS:
        value = get(field)
        if value is not None:
            if type(value) is not str or not value.isascii() or len(value) > MAX_ID_LENGTH:
                return False
            size += len(value)
    for field, most in (("targets", MAX_TARGETS_HARD), ("artifacts", MAX_ARTIFACTS)):
        values = get(field)
        if type(values) is not list or len(values) > most:
            return False
        for value in values:
            if type(value) is not str or not value.isascii() or not 0 < len(value) <= MAX_ID_LENGTH:
                return False
            size += len(value)
    attributes = get("attributes", {})
    if type(attributes) is not dict or len(attributes) > MAX_ATTRIBUTES:
        return False
    for key, value in attributes.items():
        if type(key) is not str or type(value) is not str or not (key + value).isascii():
            return False
        if len(key) > MAX_ATTRIBUTE_KEY_LENGTH or len(value) > MAX_ATTRIBUTE_VALUE_LENGTH:
            return False
        if not key.strip():
            return False
        size += len(key) + len(value)
    occurred_at, weight = get("occurred_at"), get("weight")
    return (
        size <= MAX_RECORD_BYTES
        and get("kind") in KINDS
        and type(occurred_at) is int
        and MIN_OCCURRED_AT_MS <= occurred_at <= now_ms + max_future_ms
        and (type(weight) is float or type(weight) is int)
        and MIN_WEIGHT <= weight <= MAX_WEIGHT
    )


def validate_person(record: Mapping[str, Any], removal: bool = False) -> None:
    """Raise :class:`InvalidRecord` unless ``record`` is a sensible directory entry.

    A removal (tombstone) needs only the tenant and the person.
    """
    for field in ("person", "tenant") if removal else ("person", "team", "tenant"):
        _text(record, field)
    if not removal and record.get("manager") is not None:
        _text(record, "manager")
