"""Per-batch deltas of a tenant's state as plain JSON-able data.

The state is a pure function of the ordered accepted events and directory changes, so a
delta lists them compactly, in order, plus the counts of rejected events:

``{"version": 2, "tenant": str, "ops": [op, …], "late": int, "duplicate": int}``

with ops

- ``["e", event_id, occurred_at_ms, source, kind, actor, [target, …], thread_id or null,
  in_reply_to or null, [artifact, …], weight_micro, broadcast]``: an accepted event, the
  fields of :class:`~streams.analytics.events.AcceptedEvent` in order (targets without the
  actor; a broadcast keeps its targets and is kept out of the graph);
- ``["d", person, team or null, bot]``: a directory change (null removes the person);
- ``["s", silo tracker state]``: the silo tracker as it was after the delta's other ops (the
  last op of a delta with events or directory changes). A state rebuilt from deltas whose
  older siblings expired thus continues the live silo streaks exactly.

Version 1 deltas (``e`` ops without kind/source/threads/artifacts, ``b`` broadcast ops)
cannot rebuild feedback state and are rejected.

A store may cap the size of one value (Kafka's ``max.message.bytes``): :func:`split` cuts a
delta into consecutive deltas of at most a byte budget each; replaying them in order is
replaying the whole delta.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

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


def silo_op(silo_state: dict[str, Any]) -> Op:
    """The op recording the silo tracker's state."""
    return ["s", silo_state]


class Mark(NamedTuple):
    """A position in a journal: its ops and rejection counts so far (see :meth:`Journal.mark`)."""

    ops: int
    late: int
    duplicate: int


class Journal:
    """Ops and rejection counts accumulated since the last :meth:`take`."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.ops: list[Op] = []
        self.late = 0
        self.duplicate = 0

    def take(self) -> Delta:
        """Return the pending delta and start a new one."""
        delta = self._delta(self.ops, self.late, self.duplicate)
        self.ops, self.late, self.duplicate = [], 0, 0
        return delta

    def mark(self) -> Mark:
        """The current position, to recover what was journaled before it (:meth:`until`)."""
        return Mark(len(self.ops), self.late, self.duplicate)

    def until(self, mark: Mark) -> Delta:
        """The pending delta as it was at ``mark`` (a copy; the journal is unchanged)."""
        return self._delta(self.ops[: mark.ops], mark.late, mark.duplicate)

    def record(self, delta: Delta) -> None:
        """Journal a delta's ops and counts again (after they were replayed into a state)."""
        self.ops.extend(delta["ops"])
        self.late += delta["late"]
        self.duplicate += delta["duplicate"]

    def _delta(self, ops: list[Op], late: int, duplicate: int) -> Delta:
        return {
            "version": VERSION,
            "tenant": self.tenant,
            "ops": ops,
            "late": late,
            "duplicate": duplicate,
        }


def check(delta: Delta, tenant: str) -> None:
    """Reject a delta of another tenant or format version."""
    if delta.get("version") != VERSION or delta.get("tenant") != tenant:
        raise ValueError(f"delta is not a version {VERSION} delta of this tenant")


def encoded_size(value: Any) -> int:
    """Bytes of ``value`` in compact UTF-8 JSON: what Faust's ``json`` codec writes, since it
    encodes with orjson when orjson is installed (a dependency)."""
    return len(orjson.dumps(value))


def split(delta: Delta, budget: int) -> list[Delta]:
    """``delta`` as consecutive deltas, each encoded in at most ``budget`` bytes (an op bigger
    than the budget alone stays alone); the rejection counts go with the first one."""
    if encoded_size(delta) <= budget:  # the usual case: one encoding, no per-op sizes
        return [delta]
    parts: list[Delta] = []
    frame = encoded_size({**delta, "ops": []})
    ops: list[Op] = []
    size = frame
    for op in delta["ops"]:
        op_size = encoded_size(op) + 1  # the "," separating it from its neighbour
        if ops and size + op_size > budget:
            parts.append({**delta, "ops": ops})
            ops, size = [], frame
        ops.append(op)
        size += op_size
    parts.append({**delta, "ops": ops})
    return [parts[0], *({**part, "late": 0, "duplicate": 0} for part in parts[1:])]
