"""Expectations computed independently of the code under test."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import UTC, datetime

from support.hermetic import TEST_KEY

KEY = TEST_KEY.encode()
"""The key of the test run, as the builder uses it."""


def pseudonym(key: bytes, tenant: str, raw_id: str) -> str:
    """``p_`` + the first 32 hex digits of HMAC-SHA256(key, tenant 0x1F raw id)."""
    digest = hmac.new(key, tenant.encode() + b"\x1f" + raw_id.encode(), hashlib.sha256)
    return "p_" + digest.hexdigest()[:32]


def epoch_ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """Epoch milliseconds of a UTC wall-clock time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()) * 1000


def nearest_rank(values: list[float], q: float) -> float | None:
    """The ⌈q·n⌉-th smallest value (``None`` for no values), computed independently."""
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1] if ordered else None
