"""The R-project mailing lists (../shared/data/r-mailing-lists) as orgpulse records.

``messages.csv`` has one row per archived message: list, id, message_id (RFC Message-ID),
from_email_hash, date, unix_ts, in_reply_to (parent Message-ID), thread_id, thread_depth and
subject. Mapping (list = team = channel):

- Every message is an event of source ``mailing-list`` with channel = the list, actor = the
  sender hash and occurred_at = unix_ts.
- Ids are qualified by the list (``<list>/<Message-ID>``, ``<list>/<thread_id>``) because a
  cross-posted message is archived in each list under the same Message-ID; unqualified, the
  second copy would be dropped as a duplicate and the two lists' threads would merge. A
  message without a Message-ID gets ``<list>/<id>``.
- A thread root (thread_depth 0) is a ``request`` with its own thread id; every other
  message is a ``reply`` on its thread. ``in_reply_to`` is the parent's event id whenever the
  message names a parent (also on a root whose archive thread was split off its parent).
- Targets: the author of the parent when the parent is archived in the same list, else none.
- Directory: a person posting to several lists belongs to the list with most of their
  messages, ties broken by the alphabetically first list.

Rows with no list or sender, a non-integer unix_ts or thread_depth, or a Message-ID repeated
within a list are :class:`Skipped`. Records come out directory first, then events ordered by
(unix_ts, id, list).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem

SOURCE = "mailing-list"
FILE_NAME = "messages.csv"


@dataclass(frozen=True, slots=True)
class Message:
    """One readable row of ``messages.csv``."""

    list: str
    id: str
    message_id: str
    author: str
    unix_ts: int
    in_reply_to: str
    thread_id: str
    thread_depth: int

    @property
    def event_id(self) -> str:
        """The list-qualified Message-ID (or list-qualified archive id when it has none)."""
        return f"{self.list}/{self.message_id or self.id}"


def parse_row(row: dict[str, str]) -> Message:
    """One CSV row as a :class:`Message`; ``ValueError`` carries a short reason code."""
    if not row.get("list") or not row.get("from_email_hash") or not row.get("thread_id"):
        raise ValueError("missing_field")
    if not row.get("message_id") and not row.get("id"):
        raise ValueError("missing_field")
    stamp, depth = (row.get("unix_ts") or "").strip(), (row.get("thread_depth") or "").strip()
    if not stamp.isdigit():
        raise ValueError("bad_timestamp")
    if not depth.isdigit():
        raise ValueError("bad_thread_depth")
    return Message(
        list=row["list"],
        id=row.get("id") or "",
        message_id=row.get("message_id") or "",
        author=row["from_email_hash"],
        unix_ts=int(stamp),
        in_reply_to=row.get("in_reply_to") or "",
        thread_id=row["thread_id"],
        thread_depth=int(depth),
    )


def home_lists(messages: list[Message]) -> dict[str, str]:
    """Each author's team: the list with most of their messages, ties to the first by name."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for message in messages:
        counts[message.author][message.list] += 1
    return {
        author: min(per_list, key=lambda name: (-per_list[name], name))
        for author, per_list in counts.items()
    }


class RListsConnector(Connector):
    """Reads ``messages.csv`` of the R mailing-list data set (``root`` or the file itself)."""

    name = "rlists"

    def __init__(self, root: Path, tenant: str) -> None:
        self.path = root / FILE_NAME if root.is_dir() else root
        self.tenant = tenant

    def read(self) -> tuple[list[Message], list[Skipped]]:
        """The readable messages in file order, and the rows skipped with their reasons."""
        messages: list[Message] = []
        skipped: list[Skipped] = []
        seen: set[tuple[str, str]] = set()
        with self.path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                where = f"{self.path.name}:{reader.line_num}"
                try:
                    message = parse_row(row)
                except ValueError as error:
                    skipped.append(Skipped(str(error), where))
                    continue
                key = (message.list, message.event_id)
                if key in seen:
                    skipped.append(Skipped("duplicate_message_id", where))
                    continue
                seen.add(key)
                messages.append(message)
        return messages, skipped

    def records(self) -> Iterator[SourceItem]:
        """Skipped rows, the directory (sorted by person), then events in time order."""
        messages, skipped = self.read()
        yield from skipped
        for author, team in sorted(home_lists(messages).items()):
            yield RawPerson(self.tenant, author, team)
        authors = {(m.list, m.message_id): m.author for m in messages if m.message_id}
        for message in sorted(messages, key=lambda m: (m.unix_ts, m.id, m.list)):
            yield self._event(message, authors.get((message.list, message.in_reply_to)))

    def _event(self, message: Message, parent_author: str | None) -> RawInteraction:
        irt = message.in_reply_to
        return RawInteraction(
            event_id=message.event_id,
            tenant=self.tenant,
            source=SOURCE,
            kind="request" if message.thread_depth == 0 else "reply",
            occurred_at=message.unix_ts * 1000,
            actor=message.author,
            targets=(parent_author,) if irt and parent_author else (),
            thread_id=f"{message.list}/{message.thread_id}",
            in_reply_to=f"{message.list}/{irt}" if irt else None,
            channel=message.list,
        )
