"""Email archives in mbox format (read with :class:`mailbox.mbox`) as orgpulse records.

Mapping (source ``email``; person id = the lower-cased address):

- actor: the first address of ``From`` (parsed with :func:`email.utils.getaddresses`);
  targets: the addresses of ``To`` and ``Cc``, without the sender and duplicates. Display
  names (also RFC 2047-encoded ones) are ignored; entries without a ``local@domain`` address
  are dropped.
- event_id: the ``Message-ID`` without its angle brackets.
- in_reply_to: the direct parent, the first id of ``In-Reply-To``, else the last id of
  ``References``; thread_id: the first id of ``References`` (the thread's root), else the
  parent, else the message's own id.
- kind: ``reply`` when the message has a parent, else ``message`` (no request heuristic for
  email roots).
- occurred_at: ``Date`` (:func:`email.utils.parsedate_to_datetime`) in UTC; a date without
  a time zone (``-0000``) is taken as UTC.
- artifacts: http(s) links in the ``text/plain`` parts of the body, ignoring quoted lines
  (starting with ``>``), which repeat the parent's links.
- channel: the ``List-Id`` (its ``<…>`` part) when the message came through a mailing list.

Skipped: no ``Date`` (``missing_date``) or one that cannot be parsed (``bad_date``), no
``Message-ID`` (``missing_message_id``), no usable sender address (``bad_from``). There is
no directory. Events come out after the skipped messages, in time order.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator, Sequence
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from streams.connectors.artifacts import artifact_ids, find_urls
from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, Skipped, SourceItem
from streams.timeutil import datetime_to_ms

SOURCE = "email"
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")


def header(message: Message, name: str) -> str:
    """The header ``name`` as text ('' when absent); undecodable bytes do not raise."""
    values = message.get_all(name) or []
    return " ".join(str(value) for value in values)


def message_ids(text: str) -> list[str]:
    """The ``<…>`` message ids in a header, without brackets, in order."""
    return _MSG_ID.findall(text)


def own_id(message: Message) -> str:
    """The ``Message-ID`` without brackets (a bare id without them is accepted too);
    ``ValueError("missing_message_id")`` when there is none."""
    text = header(message, "Message-ID").strip()
    ids = message_ids(text)
    if ids:
        return ids[0]
    if not text or any(c.isspace() or c in "<>" for c in text):
        raise ValueError("missing_message_id")
    return text


def addresses(*fields: str) -> list[str]:
    """The distinct lower-cased ``local@domain`` addresses of address header values."""
    found = (address.strip().lower() for _, address in getaddresses(list(fields)))
    return list(dict.fromkeys(a for a in found if _ADDRESS.fullmatch(a)))


def occurred_at(message: Message) -> int:
    """The ``Date`` in epoch ms; ``ValueError("missing_date")`` or ``ValueError("bad_date")``."""
    text = header(message, "Date").strip()
    if not text:
        raise ValueError("missing_date")
    try:
        return datetime_to_ms(parsedate_to_datetime(text))
    except (ValueError, TypeError, IndexError, OverflowError) as error:
        raise ValueError("bad_date") from error


def body_links(message: Message) -> list[str]:
    """The http(s) links in the unquoted lines of the ``text/plain`` parts."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        except LookupError:
            text = payload.decode("utf-8", errors="replace")
        for line in text.splitlines():
            if not line.lstrip().startswith(">"):
                found.extend(find_urls(line))
    return found


class MboxConnector(Connector):
    """Reads mbox files; see the module docstring for the mapping."""

    name = "mbox"

    def __init__(self, paths: Sequence[Path], tenant: str) -> None:
        self.paths = list(paths)
        self.tenant = tenant

    def records(self) -> Iterator[SourceItem]:
        """Skipped messages, then one event per readable message in time order."""
        events: list[RawInteraction] = []
        for path in self.paths:
            box = mailbox.mbox(path, create=False)
            try:
                for index, message in enumerate(box):
                    try:
                        events.append(self.event(message))
                    except ValueError as error:
                        yield Skipped(str(error), f"{path.name}[{index}]")
            finally:
                box.close()
        yield from sorted(events, key=lambda event: event.occurred_at)

    def event(self, message: Message) -> RawInteraction:
        """The event of one email; ``ValueError`` carries a short skip reason."""
        own = own_id(message)
        senders = addresses(header(message, "From"))
        if not senders:
            raise ValueError("bad_from")
        actor, when = senders[0], occurred_at(message)
        references = message_ids(header(message, "References"))
        parents = message_ids(header(message, "In-Reply-To")) or references[-1:]
        parent = parents[0] if parents else None
        lists = message_ids(header(message, "List-Id"))
        return RawInteraction(
            event_id=own,
            tenant=self.tenant,
            source=SOURCE,
            kind="reply" if parent else "message",
            occurred_at=when,
            actor=actor,
            targets=tuple(
                a for a in addresses(header(message, "To"), header(message, "Cc")) if a != actor
            ),
            thread_id=(references or parents or [own])[0],
            in_reply_to=parent,
            channel=lists[0] if lists else None,
            artifacts=artifact_ids(body_links(message)),
        )
