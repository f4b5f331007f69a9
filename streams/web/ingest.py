"""``POST /api/v1/events``: a JSON array or NDJSON of interactions, validated per record.

Records carry raw person ids: the worker pseudonymizes them like any connector before they
reach Kafka. ``occurred_at`` is ISO 8601 text or epoch milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from streams.connectors.builder import RecordBuilder
from streams.connectors.records import RawInteraction
from streams.model import Interaction
from streams.timeutil import parse_time
from streams.validation import InvalidRecord

LIST_FIELDS = ("targets", "artifacts")
TEXT_FIELDS = ("event_id", "tenant", "source", "kind", "actor")
OPTIONAL_TEXT = ("thread_id", "in_reply_to", "channel")


class BadBody(ValueError):
    """The body is not a JSON array or NDJSON of objects."""


@dataclass(frozen=True)
class Verdict:
    """What happened to one record of a batch."""

    index: int
    event_id: str | None
    status: str
    reason: str | None = None
    field: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON form returned to the client."""
        body: dict[str, Any] = {
            "index": self.index,
            "event_id": self.event_id,
            "status": self.status,
        }
        if self.reason is not None:
            body["reason"], body["field"] = self.reason, self.field
        return body


def parse_body(body: bytes) -> list[Any]:
    """The items of a JSON array, or of NDJSON lines."""
    text = body.decode("utf-8", errors="strict").strip() if body else ""
    try:
        if text.startswith("["):
            items = json.loads(text)
        else:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadBody(f"not JSON or NDJSON: {error}") from error
    if not isinstance(items, list) or not items:
        raise BadBody("expected a non-empty JSON array or NDJSON lines")
    return items


def _text(item: Mapping[str, Any], field: str, optional: bool) -> str | None:
    value = item.get(field)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidRecord(
            field, "wrong_type" if value is not None else "missing_field", "must be a string"
        )
    return value


def _occurred_at(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            pass
    raise InvalidRecord("occurred_at", "bad_timestamp", "ISO 8601 text or epoch milliseconds")


def to_raw(item: Any) -> RawInteraction:
    """One JSON object as a raw interaction; :class:`InvalidRecord` names a bad field."""
    if not isinstance(item, dict):
        raise InvalidRecord("record", "wrong_type", "each record must be a JSON object")
    lists = {}
    for field in LIST_FIELDS:
        value = item.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidRecord(field, "wrong_type", "must be a list of strings")
        lists[field] = tuple(value)
    weight = item.get("weight", 1.0)
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise InvalidRecord("weight", "bad_weight", "must be a number")
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise InvalidRecord("attributes", "wrong_type", "must map strings to strings")
    text = {f: _text(item, f, optional=False) or "" for f in TEXT_FIELDS}
    optional = {f: _text(item, f, optional=True) for f in OPTIONAL_TEXT}
    return RawInteraction(
        event_id=text["event_id"],
        tenant=text["tenant"],
        source=text["source"],
        kind=text["kind"],
        occurred_at=_occurred_at(item.get("occurred_at")),
        actor=text["actor"],
        targets=lists["targets"],
        artifacts=lists["artifacts"],
        thread_id=optional["thread_id"],
        in_reply_to=optional["in_reply_to"],
        channel=optional["channel"],
        weight=float(weight),
        attributes=attributes,
    )


def check_batch(
    items: list[Any], builder: RecordBuilder
) -> tuple[list[Verdict], list[tuple[int, Interaction]]]:
    """Verdicts for the rejected records, and the accepted ones (pseudonymized) by index."""
    rejected: list[Verdict] = []
    accepted: list[tuple[int, Interaction]] = []
    for index, item in enumerate(items):
        event_id = item.get("event_id") if isinstance(item, dict) else None
        try:
            accepted.append((index, builder.interaction(to_raw(item))))
        except InvalidRecord as error:
            rejected.append(
                Verdict(
                    index,
                    event_id if isinstance(event_id, str) else None,
                    "rejected",
                    error.reason,
                    error.field,
                )
            )
    return rejected, accepted
