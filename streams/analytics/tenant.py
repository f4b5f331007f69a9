"""All analytics state of one tenant, driven event by event in event-time order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from streams.analytics import journal, metrics
from streams.analytics.config import AnalyticsConfig
from streams.analytics.directory import Directory
from streams.analytics.pairs import EventPairs, event_pairs
from streams.analytics.silo import SiloTracker, Transition
from streams.analytics.snapshot import FeedbackStats, SnapshotInput, build_snapshot
from streams.analytics.window import RollingWindows
from streams.model import Interaction

Status = Literal["applied", "broadcast", "late", "duplicate"]


class Outcome(NamedTuple):
    """What :meth:`TenantState.apply` did with an event, and the silo transitions it caused."""

    status: Status
    transitions: tuple[Transition, ...] = ()


@dataclass
class Counters:
    """Events per outcome since the state was created."""

    applied: int = 0
    broadcast: int = 0
    late: int = 0
    duplicate: int = 0


class TenantState:
    """Rolling windows, directory, silo tracker, counters and the pending delta of a tenant.

    Silo evaluation is deterministic in event time: each time an event moves the watermark
    into a new bucket, the silo window is evaluated as of the old watermark, before the event
    is applied. A bucket not reached by any event is not evaluated, and the current bucket is
    evaluated only once an event moves past it.
    """

    def __init__(
        self, tenant: str, config: AnalyticsConfig, directory: Mapping[str, str] | None = None
    ) -> None:
        self.tenant = tenant
        self.config = config
        self.directory = Directory(directory)
        self.windows = RollingWindows(config.bucket_ms, config.spans(), self.directory)
        self.silo = SiloTracker(config.silo_enter_ei, config.silo_exit_ei, config.silo_consecutive)
        self.counters = Counters()
        self.journal = journal.Journal(tenant)
        self._recording = True

    def apply(self, event: Interaction) -> Outcome:
        """Dedup, check lateness, then apply one event (DESIGN §3)."""
        if event["tenant"] != self.tenant:
            raise ValueError("event of another tenant")
        if self.windows.seen(event["event_id"]):
            self.counters.duplicate += 1
            self.journal.duplicate += 1
            return Outcome("duplicate")
        if self.windows.is_late(event["occurred_at"]):
            self.counters.late += 1
            self.journal.late += 1
            return Outcome("late")
        pairs = event_pairs(event, self.config.max_targets)
        return self._accept(event["event_id"], event["occurred_at"], pairs)

    def set_team(self, person: str, team: str | None) -> None:
        """Apply a directory change (``None`` removes the person) to every window."""
        if self._recording:
            self.journal.ops.append(["d", person, team])
        self.windows.move(person, team)

    def take_delta(self) -> journal.Delta:
        """The delta of everything applied since the previous call (see :mod:`journal`)."""
        return self.journal.take()

    def apply_delta(self, delta: journal.Delta) -> list[Transition]:
        """Replay a delta taken from a state in the same position; return its transitions.

        "Same position": built with the same arguments (the constructor's directory is not
        journaled) or restored from a checkpoint, with the same earlier deltas replayed.
        """
        journal.check(delta, self.tenant)
        self._recording = False
        transitions: list[Transition] = []
        try:
            for op in delta["ops"]:
                if op[0] == "d":
                    self.set_team(op[1], op[2])
                else:
                    outcome = self._accept(op[1], op[2], journal.op_pairs(op))
                    transitions.extend(outcome.transitions)
        finally:
            self._recording = True
        self.counters.late += delta["late"]
        self.counters.duplicate += delta["duplicate"]
        return transitions

    def evaluate_silos(self) -> list[Transition]:
        """Evaluate the silo window now; called by :meth:`apply` on every bucket change."""
        graph = self.windows.graphs[self.config.silo_window]
        teams = graph.teams
        eis = {
            team: metrics.ei_index(teams.internal.get(team, 0), teams.external.get(team, 0))
            for team in self.directory.teams()
            if self.directory.members(team) >= self.config.min_group_size
        }
        return self.silo.evaluate(eis, self.windows.watermark or 0)

    def snapshot(self, window: str, feedback: FeedbackStats | None = None) -> dict[str, Any]:
        """The DESIGN §5 snapshot of one window, in O(teams)."""
        source = SnapshotInput(
            tenant=self.tenant,
            window_name=window,
            as_of=self.windows.watermark,
            window=self.windows.graphs[window],
            directory=self.directory,
            min_group_size=self.config.min_group_size,
            siloed=self.silo.siloed,
        )
        return build_snapshot(source, feedback)

    def _accept(self, event_id: str, t_ms: int, pairs: EventPairs) -> Outcome:
        current = self.windows.current
        moved = current is not None and self.windows.bucket_of(t_ms) > current
        transitions = tuple(self.evaluate_silos()) if moved else ()
        if self._recording:
            self.journal.ops.append(journal.event_op(event_id, t_ms, pairs))
        self.windows.add(event_id, t_ms, pairs)
        if pairs.broadcast:
            self.counters.broadcast += 1
            return Outcome("broadcast", transitions)
        self.counters.applied += 1
        return Outcome("applied", transitions)
