"""The attribute allow-list: which ``attributes`` keys each source may send to Kafka.

:class:`~streams.connectors.builder.RecordBuilder` drops every other key. A key maps to how
its value is passed: :data:`KEEP` as it is (values that name no one), :data:`EVENT_ID`
pseudonymized like ``event_id``, so it still names the same event. Sources without an entry
(``csv``, ``jsonl``, the HTTP ingest API, GitHub, mbox, the data sets, the simulator) send no
attributes at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Treatment = Literal["keep", "event_id"]
KEEP: Treatment = "keep"
EVENT_ID: Treatment = "event_id"

ALLOWED: Mapping[str, Mapping[str, Treatment]] = {
    "slack": {"emoji": KEEP, "message": EVENT_ID},
}
"""source → attribute key → treatment; see :mod:`streams.connectors.slack` (reactions)."""


def allowed(source: str) -> Mapping[str, Treatment]:
    """The attribute keys ``source`` may emit, with their treatment (empty: none)."""
    return ALLOWED.get(source, {})
