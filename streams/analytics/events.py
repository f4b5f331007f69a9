"""The accepted-event view that stateful analytics observe, live and on replay."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from streams.analytics.directory import Directory


class AcceptedEvent(NamedTuple):
    """An event that passed dedup and lateness checks, with what analytics need of it.

    ``targets`` excludes self pairs; ``weight`` is in micro-units; ``broadcast`` events are
    kept out of the graph but still seen by observers.
    """

    event_id: str
    occurred_at: int
    source: str
    kind: str
    actor: str
    targets: tuple[str, ...]
    thread_id: str | None
    in_reply_to: str | None
    artifacts: tuple[str, ...]
    weight: int
    broadcast: bool


class EventObserver(Protocol):
    """Stateful analytics fed every accepted event in order (live and when deltas replay).

    Implementations must be deterministic functions of the event sequence and the
    directory, so a replay rebuilds the same state, and must bound their memory in event
    time (``expire`` is called with the oldest event time still kept in any window).
    """

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Account for one accepted event."""

    def expire(self, oldest_kept_ms: int) -> None:
        """Forget what only concerns events older than ``oldest_kept_ms``."""
