"""``POST /api/v1/events``: a JSON array or NDJSON of interactions, validated per record.

Records carry raw person ids (:mod:`streams.connectors.json_records`): the worker
pseudonymizes them like any connector before they reach Kafka.

A body is UTF-8 (a BOM is allowed), either one JSON array or NDJSON: one JSON value per line,
lines split on ``\\n`` only (U+2028 and the other Unicode line breaks are ordinary characters
inside JSON strings). What cannot be parsed is :class:`BadBody` (400); a parsed record that is
unsafe or invalid is rejected on its own (:func:`check_batch`), never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streams.connectors.builder import RecordBuilder
from streams.connectors.json_records import BadJson, json_problem, loads, to_raw
from streams.model import Interaction
from streams.records.validation import InvalidRecord

MEDIA_TYPES = ("application/json", "application/x-ndjson")
"""Accepted ``Content-Type`` values (parameters such as ``charset=utf-8`` are allowed)."""
_JSON_SPACE = " \t\r\n"


class BadBody(ValueError):
    """The body is not a JSON array or NDJSON; ``status`` is the HTTP status to answer."""

    status = 400


class UnsupportedMediaType(BadBody):
    """The ``Content-Type`` is missing or not one of :data:`MEDIA_TYPES`."""

    status = 415


def check_content_type(header: str | None) -> None:
    """Raise :class:`UnsupportedMediaType` unless ``header`` names one of :data:`MEDIA_TYPES`
    with, at most, a UTF-8 charset."""
    media_type, *parameters = (header or "").split(";")
    charsets = {
        value.strip().strip('"').lower()
        for name, _, value in (p.partition("=") for p in parameters)
        if name.strip().lower() == "charset"
    }
    if media_type.strip().lower() not in MEDIA_TYPES or not charsets <= {"utf-8", "utf8"}:
        raise UnsupportedMediaType(f"Content-Type must be {' or '.join(MEDIA_TYPES)} (UTF-8)")


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
    """The items of a JSON array, or of NDJSON lines; :class:`BadBody` for anything else."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadBody(f"not UTF-8: {error.reason} at byte {error.start}") from error
    try:
        if text.lstrip(_JSON_SPACE).startswith("["):
            items = loads(text)
        else:
            lines = text.split("\n")
            items = [loads(line) for line in lines if line.strip(_JSON_SPACE)]
    except BadJson as error:
        raise BadBody(f"not a JSON array or NDJSON: {error}") from error
    if not isinstance(items, list) or not items:
        raise BadBody("expected a non-empty JSON array or NDJSON lines")
    return items


def check_batch(
    items: list[Any], builder: RecordBuilder
) -> tuple[list[Verdict], list[tuple[int, Interaction]]]:
    """Verdicts for the rejected records, and the accepted ones (pseudonymized) by index."""
    rejected: list[Verdict] = []
    accepted: list[tuple[int, Interaction]] = []
    for index, item in enumerate(items):
        try:
            accepted.append((index, builder.interaction(to_raw(item))))
        except InvalidRecord as error:
            rejected.append(
                Verdict(index, client_event_id(item), "rejected", error.reason, error.field)
            )
    return rejected, accepted


def client_event_id(item: Any) -> str | None:
    """The ``event_id`` the client sent (raw, not the pseudonym), when it is a safe string."""
    event_id = item.get("event_id") if isinstance(item, dict) else None
    return event_id if isinstance(event_id, str) and json_problem(event_id) is None else None
