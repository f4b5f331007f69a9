"""The generic CSV format (DESIGN §5): an events file and an optional directory file."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.timeutil import parse_time

EVENT_COLUMNS = (
    "event_id",
    "occurred_at",
    "source",
    "kind",
    "actor",
    "targets",
    "thread_id",
    "in_reply_to",
    "channel",
    "artifacts",
    "weight",
)


def _optional(value: str | None) -> str | None:
    return value if value else None


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in (value or "").split(";") if part)


def parse_event_row(row: dict[str, str], tenant: str) -> RawInteraction:
    """One events-file row as a raw interaction; ``ValueError`` names the bad column."""
    try:
        occurred_at = parse_time(row.get("occurred_at") or "")
    except ValueError as error:
        raise ValueError("bad_timestamp") from error
    try:
        weight = float(row["weight"]) if row.get("weight") else 1.0
    except ValueError as error:
        raise ValueError("bad_weight") from error
    return RawInteraction(
        event_id=row.get("event_id") or "",
        tenant=tenant,
        source=row.get("source") or "csv",
        kind=row.get("kind") or "",
        occurred_at=occurred_at,
        actor=row.get("actor") or "",
        targets=_list(row.get("targets")),
        thread_id=_optional(row.get("thread_id")),
        in_reply_to=_optional(row.get("in_reply_to")),
        channel=_optional(row.get("channel")),
        artifacts=_list(row.get("artifacts")),
        weight=weight,
    )


def directory_rows(path: Path, tenant: str) -> Iterator[RawPerson]:
    """The entries of a directory CSV (``person,team[,manager]``)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield RawPerson(
                tenant,
                row.get("person") or "",
                row.get("team") or "",
                _optional(row.get("manager")),
            )


class CsvConnector(Connector):
    """Reads a directory CSV (``person,team[,manager]``) and then an events CSV."""

    name = "csv"

    def __init__(self, events: Path, tenant: str, directory: Path | None = None) -> None:
        self.events = events
        self.tenant = tenant
        self.directory = directory

    def records(self) -> Iterator[SourceItem]:
        """Directory entries first, then events in file order."""
        if self.directory is not None:
            yield from directory_rows(self.directory, self.tenant)
        with self.events.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"event_id", "occurred_at", "kind", "actor"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{self.events}: missing columns {', '.join(sorted(missing))}")
            for row in reader:
                try:
                    yield parse_event_row(row, self.tenant)
                except ValueError as error:
                    yield Skipped(str(error), f"{self.events.name}:{reader.line_num}")
