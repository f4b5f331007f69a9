"""Plain-value inputs a connector yields, before pseudonymization and encoding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RawInteraction:
    """An interaction as a tool reports it, with raw (not yet pseudonymized) person ids."""

    event_id: str
    tenant: str
    source: str
    kind: str
    occurred_at: datetime | int
    """A datetime (naive = UTC) or epoch milliseconds."""
    actor: str
    targets: Sequence[str] = ()
    thread_id: str | None = None
    in_reply_to: str | None = None
    channel: str | None = None
    artifacts: Sequence[str] = ()
    weight: float = 1.0
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawPerson:
    """A directory entry with raw person ids; ``removed`` produces a tombstone."""

    tenant: str
    person: str
    team: str = ""
    manager: str | None = None
    bot: bool = False
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source record that could not be read; ``reason`` is a short code, ``where`` a location."""

    reason: str
    where: str


RawRecord = RawInteraction | RawPerson
SourceItem = RawRecord | Skipped
