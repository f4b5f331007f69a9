"""Nearest-rank percentiles (DESIGN §3): the ⌈q·n⌉-th smallest value."""

from __future__ import annotations

from typing import TypeVar

N = TypeVar("N", int, float)


def nearest_rank(sorted_values: list[N], numerator: int, denominator: int) -> N | None:
    """The ⌈q·n⌉-th smallest of ``sorted_values``, q = numerator/denominator (exact integer
    arithmetic); ``None`` if empty.

    >>> nearest_rank([10, 20, 30, 40], 1, 2)  # p50: the 2nd of 4
    20
    >>> nearest_rank([10, 20, 30, 40], 9, 10)  # p90: the ⌈3.6⌉ = 4th
    40
    >>> nearest_rank([], 1, 2) is None
    True
    """
    if not sorted_values:
        return None
    rank = -(-len(sorted_values) * numerator // denominator)
    return sorted_values[max(rank, 1) - 1]


def median(values: list[N]) -> N:
    """Nearest-rank median (the ⌈n/2⌉-th smallest) of a non-empty list.

    >>> median([3, 1, 2])
    2
    >>> median([4, 1, 3, 2])
    2
    """
    result = nearest_rank(sorted(values), 1, 2)
    if result is None:
        raise ValueError("median of no values")
    return result
