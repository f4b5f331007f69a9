"""Interaction records as JSON objects (raw person ids): the HTTP ingest and JSONL formats.

``occurred_at`` is ISO 8601 text or epoch milliseconds; lists and optional fields follow the
``orgpulse.Interaction`` schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from streams.connectors.base import Connector
from streams.connectors.csv_files import directory_rows
from streams.connectors.records import RawInteraction, Skipped, SourceItem
from streams.timeutil import parse_time
from streams.validation import InvalidRecord

LIST_FIELDS = ("targets", "artifacts")
TEXT_FIELDS = ("event_id", "tenant", "source", "kind", "actor")
OPTIONAL_TEXT = ("thread_id", "in_reply_to", "channel")


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


class JsonlConnector(Connector):
    """Reads JSON Lines files of interactions (``tenant`` defaults to the given one), and
    optionally a directory CSV first."""

    name = "jsonl"

    def __init__(self, paths: Sequence[Path], tenant: str, directory: Path | None = None) -> None:
        self.paths = list(paths)
        self.tenant = tenant
        self.directory = directory

    def records(self) -> Iterator[SourceItem]:
        """Directory entries, then one interaction per line (Skipped for unreadable lines)."""
        if self.directory is not None:
            yield from directory_rows(self.directory, self.tenant)
        for path in self.paths:
            with path.open(encoding="utf-8-sig") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield self._parse(line, f"{path.name}:{number}")

    def _parse(self, line: str, where: str) -> RawInteraction | Skipped:
        try:
            item = json.loads(line)
            if isinstance(item, dict):
                item.setdefault("tenant", self.tenant)
            return to_raw(item)
        except json.JSONDecodeError:
            return Skipped("bad_json", where)
        except InvalidRecord as error:
            return Skipped(error.reason, where)
