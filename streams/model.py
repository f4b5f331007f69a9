"""Record shapes shared by the codec, connectors, analytics and agents.

Records are plain dicts (what fastavro reads and writes), typed here. Timestamps are
integer milliseconds since the Unix epoch (UTC) everywhere inside orgpulse.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

Kind = Literal[
    "message", "reply", "request", "review", "comment", "mention", "reaction", "meeting", "share"
]
KINDS: tuple[Kind, ...] = (
    "message",
    "reply",
    "request",
    "review",
    "comment",
    "mention",
    "reaction",
    "meeting",
    "share",
)

UNASSIGNED = "unassigned"
"""Pseudo-team of people not in the directory: never reported, shares a team with nobody."""


class Interaction(TypedDict):
    """One ``orgpulse.Interaction`` event."""

    event_id: str
    tenant: str
    source: str
    kind: Kind
    occurred_at: int
    actor: str
    targets: list[str]
    thread_id: str | None
    in_reply_to: str | None
    channel: str | None
    artifacts: list[str]
    weight: float
    attributes: dict[str, str]


class InteractionBatch(TypedDict):
    """One ``orgpulse.InteractionBatch`` envelope: events of one tenant in one Kafka record."""

    tenant: str
    items: list[Interaction]


class Person(TypedDict):
    """One ``orgpulse.Person`` directory entry."""

    person: str
    team: str
    manager: str | None
    tenant: str
    bot: NotRequired[bool]


class Alert(TypedDict):
    """One ``orgpulse.Alert`` state transition."""

    alert_id: str
    tenant: str
    kind: str
    status: Literal["firing", "resolved"]
    team: str
    window: str
    value: float
    as_of: int
    summary: str


def new_interaction(
    event_id: str,
    tenant: str,
    occurred_at: int,
    actor: str,
    targets: list[str],
    *,
    kind: Kind = "message",
    source: str = "custom",
    thread_id: str | None = None,
    in_reply_to: str | None = None,
    channel: str | None = None,
    artifacts: list[str] | None = None,
    weight: float = 1.0,
) -> Interaction:
    """An Interaction with the optional fields at their schema defaults."""
    return Interaction(
        event_id=event_id,
        tenant=tenant,
        source=source,
        kind=kind,
        occurred_at=occurred_at,
        actor=actor,
        targets=targets,
        thread_id=thread_id,
        in_reply_to=in_reply_to,
        channel=channel,
        artifacts=artifacts or [],
        weight=weight,
        attributes={},
    )
