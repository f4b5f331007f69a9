"""Semantic checks of records beyond the Avro schema, shared by connectors and the worker.

The schema guarantees types; these rules guarantee that a record makes sense: ids are
present, timestamps are sane, target lists are bounded and weights are positive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from streams.model import KINDS

MAX_ID_LENGTH = 512
MAX_TARGETS_HARD = 1000
"""Beyond this many targets an event is rejected; above max_targets it is a broadcast."""
MIN_OCCURRED_AT_MS = 0


class InvalidRecord(ValueError):
    """A record breaks a rule; ``field`` names the offending field, ``reason`` is a short code."""

    def __init__(self, field: str, reason: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.reason = reason


def _require_id(record: Mapping[str, Any], field: str) -> None:
    value = record.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(field, "missing_field", "must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidRecord(field, "too_long", f"longer than {MAX_ID_LENGTH} characters")


def _check_id_list(record: Mapping[str, Any], field: str, limit: int) -> None:
    values = record.get(field)
    if not isinstance(values, list):
        raise InvalidRecord(field, "wrong_type", "must be a list of strings")
    if len(values) > limit:
        raise InvalidRecord(field, "too_many_targets", f"{len(values)} entries, limit {limit}")
    if any(not isinstance(v, str) or not v or len(v) > MAX_ID_LENGTH for v in values):
        raise InvalidRecord(field, "wrong_type", "entries must be non-empty strings")


def validate_interaction(record: Mapping[str, Any], now_ms: int, max_future_ms: int) -> None:
    """Raise :class:`InvalidRecord` unless ``record`` is a sensible Interaction.

    ``now_ms`` is the wall clock; events more than ``max_future_ms`` ahead of it are rejected.
    """
    for field in ("event_id", "tenant", "source", "actor"):
        _require_id(record, field)
    if record.get("kind") not in KINDS:
        raise InvalidRecord("kind", "bad_kind", f"must be one of {', '.join(KINDS)}")
    occurred_at = record.get("occurred_at")
    if not isinstance(occurred_at, int) or isinstance(occurred_at, bool):
        raise InvalidRecord("occurred_at", "missing_field", "must be epoch milliseconds")
    if occurred_at < MIN_OCCURRED_AT_MS:
        raise InvalidRecord("occurred_at", "bad_timestamp", "before 1970-01-01")
    if occurred_at > now_ms + max_future_ms:
        raise InvalidRecord("occurred_at", "future_timestamp", "too far in the future")
    _check_id_list(record, "targets", MAX_TARGETS_HARD)
    _check_id_list(record, "artifacts", MAX_TARGETS_HARD)
    weight = record.get("weight")
    if not isinstance(weight, int | float) or not math.isfinite(weight) or weight <= 0:
        raise InvalidRecord("weight", "bad_weight", "must be a finite number > 0")


def validate_person(record: Mapping[str, Any], removal: bool = False) -> None:
    """Raise :class:`InvalidRecord` unless ``record`` is a sensible directory entry.

    A removal (tombstone) needs only the tenant and the person.
    """
    for field in ("person", "tenant") if removal else ("person", "team", "tenant"):
        _require_id(record, field)
    if not removal and record.get("manager") is not None:
        _require_id(record, "manager")
