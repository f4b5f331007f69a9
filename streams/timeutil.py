"""Conversions between datetimes, ISO 8601 text and integer epoch milliseconds (UTC)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)
_UNIX_SECONDS = re.compile(r"-?\d+(\.\d+)?")


def datetime_to_ms(value: datetime) -> int:
    """Epoch milliseconds of ``value``; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // MILLISECOND


def ms_to_iso(ms: int) -> str:
    """ISO 8601 UTC text with milliseconds and a ``Z`` suffix.

    >>> ms_to_iso(1500)
    '1970-01-01T00:00:01.500Z'
    """
    return (EPOCH + ms * MILLISECOND).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_time(text: str) -> int:
    """Epoch milliseconds from ISO 8601 text or unix seconds (integer or decimal).

    >>> parse_time("1970-01-01T00:00:01.5Z")
    1500
    >>> parse_time("1700000000")
    1700000000000

    Raises ``ValueError`` for anything else, also for seconds beyond float range.
    """
    text = text.strip()
    if _UNIX_SECONDS.fullmatch(text):
        ms = float(text) * 1000
        if not math.isfinite(ms):
            raise ValueError(f"unix seconds out of range: {text[:40]}")
        return round(ms)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime_to_ms(datetime.fromisoformat(text))


def now_ms() -> int:
    """The wall clock in epoch milliseconds."""
    return datetime_to_ms(datetime.now(UTC))
