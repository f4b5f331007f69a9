"""The accepted-event view that stateful analytics observe, live and on replay."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from streams.analytics.directory import Directory
from streams.analytics.pairs import Edge, to_micro
from streams.model import Interaction


class AcceptedEvent(NamedTuple):
    """An event that passed dedup and lateness checks, with what analytics need of it.

    ``targets`` excludes the actor and keeps repeats; ``weight`` is in micro-units;
    ``broadcast`` events (more than ``max_targets`` targets) keep their targets but are
    kept out of the graph (:meth:`edges` is empty); observers still see them.
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

    def edges(self) -> list[Edge]:
        """The directed pairs the event adds to the graph (none for a broadcast)."""
        if self.broadcast:
            return []
        return [(self.actor, target) for target in self.targets]


def accepted_event(event: Interaction, max_targets: int) -> AcceptedEvent:
    """The accepted view of ``event``; more than ``max_targets`` targets is a broadcast."""
    actor, targets = event["actor"], event["targets"]
    return AcceptedEvent(
        event_id=event["event_id"],
        occurred_at=event["occurred_at"],
        source=event["source"],
        kind=event["kind"],
        actor=actor,
        targets=tuple(t for t in targets if t != actor) if actor in targets else tuple(targets),
        thread_id=event["thread_id"],
        in_reply_to=event["in_reply_to"],
        artifacts=tuple(event["artifacts"]),
        weight=to_micro(event["weight"]),
        broadcast=len(targets) > max_targets,
    )


class EventObserver(Protocol):
    """Stateful analytics fed every accepted event in order (live and when deltas replay).

    Implementations must be deterministic functions of the event sequence and the
    directory, so a replay rebuilds the same state, and must bound their memory in event
    time (``expire`` is called with the oldest event time still kept in any window, each
    time the watermark enters a new bucket, before the event that moved it is observed).
    """

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Account for one accepted event."""

    def expire(self, oldest_kept_ms: int) -> None:
        """Forget what only concerns events older than ``oldest_kept_ms``."""
