"""``POST /api/v1/events``: a JSON array or NDJSON of interactions, validated per record.

Records carry raw person ids (:mod:`streams.connectors.json_records`): the worker
pseudonymizes them like any connector before they reach Kafka.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from streams.connectors.builder import RecordBuilder
from streams.connectors.json_records import to_raw
from streams.model import Interaction
from streams.validation import InvalidRecord


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
