"""Writing simulator output as the generic CSV files of DESIGN §5."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from streams.connectors.csv_files import EVENT_COLUMNS
from streams.connectors.records import RawInteraction, RawPerson, SourceItem


def write_csv(items: Iterable[SourceItem], events: Path, directory: Path) -> int:
    """Write events and directory CSVs; returns the number of events written."""
    count = 0
    with events.open("w", newline="") as ev, directory.open("w", newline="") as di:
        event_writer = csv.writer(ev)
        event_writer.writerow(EVENT_COLUMNS)
        directory_writer = csv.writer(di)
        directory_writer.writerow(["person", "team", "manager"])
        for item in items:
            if isinstance(item, RawPerson):
                directory_writer.writerow([item.person, item.team, item.manager or ""])
            elif isinstance(item, RawInteraction):
                assert isinstance(item.occurred_at, int)
                event_writer.writerow(
                    [
                        item.event_id,
                        item.occurred_at / 1000,
                        item.source,
                        item.kind,
                        item.actor,
                        ";".join(item.targets),
                        item.thread_id or "",
                        item.in_reply_to or "",
                        item.channel or "",
                        ";".join(item.artifacts),
                        item.weight,
                    ]
                )
                count += 1
    return count
