"""The Enron email data set with departments (../shared/data/enron) as orgpulse records.

employees.tsv gives the directory (department = team), messages.tsv the emails (sorted by
time) and recipients.tsv their recipients. There is no reply linkage, so every email is a
``message`` from its sender to its recipients.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


class EnronConnector(Connector):
    """Reads the three TSV files of the Enron directory ``root``."""

    name = "enron"

    def __init__(self, root: Path, tenant: str) -> None:
        self.root = root
        self.tenant = tenant

    def records(self) -> Iterator[SourceItem]:
        """Employees, then one message per email in time order."""
        for row in _rows(self.root / "employees.tsv"):
            yield RawPerson(self.tenant, f"enron-{row['employee_id']}", row["department"])
        recipients: dict[str, list[str]] = defaultdict(list)
        for row in _rows(self.root / "recipients.tsv"):
            recipients[row["message_id"]].append(f"enron-{row['recipient_id']}")
        for row in _rows(self.root / "messages.tsv"):
            if not row["unix_time"].isdigit():
                yield Skipped("bad_timestamp", f"messages.tsv message {row['message_id']}")
                continue
            yield RawInteraction(
                event_id=f"enron-{row['message_id']}",
                tenant=self.tenant,
                source="email",
                kind="message",
                occurred_at=int(row["unix_time"]) * 1000,
                actor=f"enron-{row['sender_id']}",
                targets=recipients.get(row["message_id"], []),
            )
