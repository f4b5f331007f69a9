"""All analytics state of one tenant, driven event by event in event-time order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from streams.analytics import journal
from streams.analytics.config import AnalyticsConfig
from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent, EventObserver, accepted_event
from streams.analytics.feedback.stats import FeedbackRules, FeedbackStats, open_by_age
from streams.analytics.feedback.tracker import NO_FACTS, FeedbackFacts, FeedbackTracker
from streams.analytics.graph import indices
from streams.analytics.graph.window import RollingWindows
from streams.analytics.silos.silo import SiloTracker, Transition
from streams.analytics.snapshot import SnapshotInput, build_snapshot, qualifies
from streams.model import Interaction

Status = Literal["applied", "broadcast", "late", "duplicate"]


class Outcome(NamedTuple):
    """What :meth:`TenantState.apply` did with an event: its status, the silo transitions and
    the feedback facts (requests opened, answered, past the horizon) it caused."""

    status: Status
    transitions: tuple[Transition, ...] = ()
    feedback: FeedbackFacts = NO_FACTS


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

    Every accepted event goes, live and on replay, to the request tracker (:mod:`feedback`)
    and then to the registered observers, in order; when the watermark enters a new bucket
    they first ``expire`` what is older than the oldest kept bucket.
    """

    def __init__(
        self,
        tenant: str,
        config: AnalyticsConfig,
        directory: Mapping[str, str] | None = None,
        observers: Iterable[EventObserver] = (),
    ) -> None:
        self.tenant = tenant
        self.config = config
        self.directory = Directory(directory)
        self.windows = RollingWindows(config.bucket_ms, config.spans(), self.directory)
        self.silo = SiloTracker(config.silo_enter_ei, config.silo_exit_ei, config.silo_consecutive)
        spans = config.spans()
        self.largest_window = max(spans, key=lambda name: spans[name])
        self.feedback = FeedbackTracker(FeedbackRules.from_config(config), self.qualifies)
        self.observers: list[EventObserver] = [self.feedback, *observers]
        self.counters = Counters()
        self.journal = journal.Journal(tenant)
        self._recording = True

    def add_observer(self, observer: EventObserver) -> None:
        """Register an observer; do it before the first event or delta so it sees them all."""
        self.observers.append(observer)

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
        return self._accept(accepted_event(event, self.config.max_targets))

    def set_team(self, person: str, team: str | None, bot: bool = False) -> None:
        """Apply a directory change (``None`` removes the person) to every window.

        ``bot`` flags the person as a bot from now on: their later events are not responses.
        """
        if self._recording:
            self.journal.ops.append(journal.directory_op(person, team, bot))
        self.windows.move(person, team, bot)

    def take_delta(self) -> journal.Delta:
        """The delta of everything applied since the previous call (see :mod:`journal`),
        ending with the silo tracker's state when anything was applied."""
        if self.journal.ops:
            self.journal.ops.append(journal.silo_op(self.silo.to_dict()))
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
                    self.set_team(op[1], op[2], op[3])
                elif op[0] == "s":
                    self.silo.load(op[1])
                else:
                    transitions.extend(self._accept(journal.op_event(op)).transitions)
        finally:
            self._recording = True
        self.counters.late += delta["late"]
        self.counters.duplicate += delta["duplicate"]
        return transitions

    def restore_pending(self, delta: journal.Delta) -> None:
        """Replay a delta that was journaled but not yet taken, and journal it again, so that
        the next :meth:`take_delta` persists it (rolling back to a :class:`journal.Mark`)."""
        self.apply_delta(delta)
        self.journal.record(delta)

    def qualifies(self, team: str) -> bool:
        """Whether ``team`` may be named in metric labels now: it qualifies in the largest
        window, with every event applied so far (README "Privacy")."""
        graph = self.windows.graphs[self.largest_window]
        return qualifies(team, graph, self.directory, self.config.min_group_size)

    def evaluate_silos(self) -> list[Transition]:
        """Evaluate the silo window now; called by :meth:`apply` on every bucket change.

        Teams with ``min_group_size`` directory members are tracked; one that does not qualify
        in the silo window (too few active people) has no EI there: not silo evidence.
        """
        graph = self.windows.graphs[self.config.silo_window]
        teams, size = graph.teams, self.config.min_group_size
        eis = {
            team: indices.ei_index(teams.internal(team), teams.external(team))
            if qualifies(team, graph, self.directory, size)
            else None
            for team in self.directory.teams()
            if self.directory.members(team) >= size
        }
        return self.silo.evaluate(eis, self.windows.watermark or 0)

    def snapshot(self, window: str, top_flow: int | None = None) -> dict[str, Any]:
        """The DESIGN §5 snapshot of one window: O(teams + flow entries) plus what changed
        since the previous snapshot of the window, plus O(answered requests in the window);
        with ``top_flow``, only that many heaviest flow entries and no O(flow entries)
        part (see :func:`~streams.analytics.snapshot.build_snapshot`)."""
        source = SnapshotInput(
            tenant=self.tenant,
            window_name=window,
            as_of=self.windows.watermark,
            window=self.windows.graphs[window],
            directory=self.directory,
            min_group_size=self.config.min_group_size,
            siloed=self.silo.siloed,
        )
        return build_snapshot(source, self.feedback_stats(window), top_flow)

    def feedback_stats(self, window: str) -> FeedbackStats:
        """Feedback statistics of the requests in the window's buckets, as of the watermark."""
        as_of, current = self.windows.watermark, self.windows.current
        if as_of is None or current is None:
            return FeedbackStats()
        low = current - self.windows.spans[window] + 1
        return self.feedback.window_stats(low, as_of, self.directory)

    def open_requests_by_age(self, as_of: int) -> dict[tuple[str, str], int]:
        """Open requests (not answered, horizon not passed at ``as_of``) per (team label, age
        band ``lt_1h``/``1h_24h``/``gt_24h``), for ``orgpulse_requests_open``; O(open)."""
        requests = self.feedback.open_requests()
        return open_by_age(requests, as_of, self.directory, self.feedback.rules, self.qualifies)

    def _accept(self, event: AcceptedEvent) -> Outcome:
        current = self.windows.current
        moved = current is not None and self.windows.bucket_of(event.occurred_at) > current
        transitions = tuple(self.evaluate_silos()) if moved else ()
        if self._recording:
            self.journal.ops.append(journal.event_op(event))
        self.windows.add(event)
        oldest_kept = self.windows.oldest_kept_ms() if moved else None
        if oldest_kept is not None:
            for observer in self.observers:
                observer.expire(oldest_kept)
        for observer in self.observers:
            observer.on_event(event, self.directory)
        facts = self.feedback.take_facts()
        if event.broadcast:
            self.counters.broadcast += 1
            return Outcome("broadcast", transitions, facts)
        self.counters.applied += 1
        return Outcome("applied", transitions, facts)
