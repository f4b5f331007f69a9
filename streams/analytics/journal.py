"""Per-batch deltas of a tenant's state as plain JSON-able data.

The state is a pure function of the ordered accepted events and directory changes, so a
delta lists them compactly, in order, plus the counts of rejected events:

``{"version": 1, "tenant": str, "ops": [op, …], "late": int, "duplicate": int}``

with ops ``["e", event_id, occurred_at_ms, actor, [target, …], weight_micro]`` (an applied
event; targets without the actor), ``["b", event_id, occurred_at_ms]`` (a broadcast) and
``["d", person, team or null]`` (a directory change; null removes the person).
"""

from __future__ import annotations

from typing import Any

from streams.analytics.pairs import EventPairs

VERSION = 1

Op = list[Any]
Delta = dict[str, Any]


def event_op(event_id: str, t_ms: int, pairs: EventPairs) -> Op:
    """The op of an accepted event."""
    if pairs.broadcast:
        return ["b", event_id, t_ms]
    return ["e", event_id, t_ms, pairs.actor, list(pairs.targets), pairs.weight]


def op_pairs(op: Op) -> EventPairs:
    """The pairs of an ``e`` or ``b`` op."""
    if op[0] == "b":
        return EventPairs("", (), 0, True)
    return EventPairs(op[3], tuple(op[4]), op[5], False)


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
