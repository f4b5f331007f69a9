"""Turning one interaction into directed person pairs (DESIGN §3 "Pair").

Weights are quantized to integer micro-units so every aggregate is an exact integer sum:
adding and subtracting the same events in any order gives bit-identical results.
"""

from __future__ import annotations

from typing import NamedTuple

from streams.model import Interaction

MICRO = 1_000_000
"""Micro-units per unit of weight."""

Edge = tuple[str, str]
"""A directed person pair (actor, target)."""


def to_micro(weight: float) -> int:
    """Quantize a weight to integer micro-units (``round(weight * 1_000_000)``)."""
    return round(weight * MICRO)


def from_micro(value: int) -> float:
    """Convert integer micro-units back to a float weight, for output only."""
    return value / MICRO


class EventPairs(NamedTuple):
    """The pairs of one event: ``actor → t`` for every ``t`` in ``targets``, each of ``weight``.

    ``targets`` keeps repeated targets (n targets give n pairs) and drops the actor itself.
    A broadcast carries no targets.
    """

    actor: str
    targets: tuple[str, ...]
    weight: int
    broadcast: bool

    def edges(self) -> list[Edge]:
        """The directed pairs of the event."""
        return [(self.actor, target) for target in self.targets]


def event_pairs(event: Interaction, max_targets: int) -> EventPairs:
    """Split ``event`` into pairs; more than ``max_targets`` targets makes it a broadcast."""
    actor = event["actor"]
    if len(event["targets"]) > max_targets:
        return EventPairs(actor, (), 0, True)
    targets = tuple(target for target in event["targets"] if target != actor)
    return EventPairs(actor, targets, to_micro(event["weight"]), False)
