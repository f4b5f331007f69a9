"""Expectations computed independently of the code under test."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable
from datetime import UTC, datetime

from support.hermetic import TEST_KEY

from streams.connectors.records import RawInteraction

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


def namespaced(kind: str, tenant: str, raw_id: str) -> str:
    """The pseudonym of a non-person id of ``kind`` (event, thread, channel, artifact)."""
    return pseudonym(KEY, tenant, f"{kind}\x1f{raw_id}")


def id_fields(raw: RawInteraction) -> dict[str, object]:
    """The identifier fields of ``raw`` as they must reach Kafka, computed here."""

    def optional(kind: str, value: str | None) -> str | None:
        return None if value is None else namespaced(kind, raw.tenant, value)

    return {
        "event_id": namespaced("event", raw.tenant, raw.event_id),
        "actor": pseudonym(KEY, raw.tenant, raw.actor),
        "targets": [pseudonym(KEY, raw.tenant, t) for t in raw.targets],
        "thread_id": optional("thread", raw.thread_id),
        "in_reply_to": optional("event", raw.in_reply_to),
        "channel": optional("channel", raw.channel),
        "artifacts": [namespaced("artifact", raw.tenant, a) for a in raw.artifacts],
    }


def raw_id_values(events: Iterable[RawInteraction]) -> set[str]:
    """Every raw event id, thread id, reply target and channel of ``events``."""
    fields = ((e.event_id, e.thread_id, e.in_reply_to, e.channel) for e in events)
    return {value for values in fields for value in values if value}
