"""Per-batch deltas of a tenant's state as plain JSON-able data.

The state is a pure function of the ordered accepted events and directory changes, so a
delta lists them compactly, in order, plus the counts of rejected events:

``{"version": 2, "tenant": str, "ops": [op, …], "late": int, "duplicate": int}``

with ops

- ``["e", event_id, occurred_at_ms, source, kind, actor, [target, …], thread_id or null,
  in_reply_to or null, [artifact, …], weight_micro, broadcast]``: an accepted event, the
  fields of :class:`~streams.analytics.events.AcceptedEvent` in order (targets without the
  actor; a broadcast keeps its targets and is kept out of the graph);
- ``["d", person, team or null, bot]``: a directory change (null removes the person).

Version 1 deltas (``e`` ops without kind/source/threads/artifacts, ``b`` broadcast ops)
cannot rebuild feedback state and are rejected.
"""

from __future__ import annotations

from typing import Any

from streams.analytics.events import AcceptedEvent

VERSION = 2

Op = list[Any]
Delta = dict[str, Any]


def event_op(event: AcceptedEvent) -> Op:
    """The op of an accepted event."""
    return [
        "e",
        event.event_id,
        event.occurred_at,
        event.source,
        event.kind,
        event.actor,
        list(event.targets),
        event.thread_id,
        event.in_reply_to,
        list(event.artifacts),
        event.weight,
        event.broadcast,
    ]


def op_event(op: Op) -> AcceptedEvent:
    """The accepted event of an ``e`` op (inverse of :func:`event_op`)."""
    _, event_id, t, source, kind, actor, targets, thread, reply, artifacts, weight, bc = op
    return AcceptedEvent(
        event_id,
        t,
        source,
        kind,
        actor,
        tuple(targets),
        thread,
        reply,
        tuple(artifacts),
        weight,
        bc,
    )


def directory_op(person: str, team: str | None, bot: bool) -> Op:
    """The op of a directory change."""
    return ["d", person, team, bot]


class Journal:
    """Ops and rejection counts accumulated since the last :meth:`take`."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.ops: list[Op] = []
        self.late = 0
        self.duplicate = 0

    def take(self) -> Delta:
        """Return the pending delta and start a new one."""
        delta = {
            "version": VERSION,
            "tenant": self.tenant,
            "ops": self.ops,
            "late": self.late,
            "duplicate": self.duplicate,
        }
        self.ops, self.late, self.duplicate = [], 0, 0
        return delta


def check(delta: Delta, tenant: str) -> None:
    """Reject a delta of another tenant or format version."""
    if delta.get("version") != VERSION or delta.get("tenant") != tenant:
        raise ValueError(f"delta is not a version {VERSION} delta of this tenant")
