"""Weights of pairs (DESIGN §3 "Pair") as exact integers.

Weights are quantized to integer micro-units so every aggregate is an exact integer sum:
adding and subtracting the same events in any order gives bit-identical results. The
pairs of an event are :meth:`streams.analytics.events.AcceptedEvent.edges`.
"""

from __future__ import annotations

MICRO = 1_000_000
"""Micro-units per unit of weight."""

Edge = tuple[str, str]
"""A directed person pair (actor, target)."""


def to_micro(weight: float) -> int:
    """Quantize a weight to integer micro-units (``round(weight * 1_000_000)``).

    >>> to_micro(0.5), to_micro(1e-6), to_micro(2.0000004)
    (500000, 1, 2000000)
    """
    return round(weight * MICRO)


def from_micro(value: int) -> float:
    """Convert integer micro-units back to a float weight, for output only.

    >>> from_micro(1_500_000)
    1.5
    """
    return value / MICRO
