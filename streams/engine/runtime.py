"""Tenant states of one worker, persisted as per-batch deltas in a key-value store.

The store is a Faust table backed by a changelog topic; keys are ``<tenant>/<sequence>``
and values are the JSON deltas of :mod:`streams.analytics.journal`, each at most
:data:`DELTA_BUDGET_BYTES` (a batch's delta is split into consecutive sequences). A tenant's
state is rebuilt by replaying its deltas in sequence order; deltas whose events have all left
the largest window are deleted, so the store stays bounded by the window.

An event whose application raises is rolled back: the tenant's state is rebuilt from the
store and what was applied before the event in the same batch is replayed, so the state is
the one of the same records without the bad one.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from streams.analytics.config import AnalyticsConfig
from streams.analytics.feedback.tracker import NO_FACTS, FeedbackFacts
from streams.analytics.journal import Delta, split
from streams.analytics.knowledge.section import KnowledgeObservers, knowledge_section
from streams.analytics.silos.silo import build_alert
from streams.analytics.tenant import Outcome, TenantState
from streams.engine.checkpoints import Checkpoints, collector_paused
from streams.engine.sealed import seal
from streams.kafka.directory_reader import DirectoryUpdate
from streams.metrics.counters import WorkerMetrics
from streams.model import UNASSIGNED, Alert, Interaction, Person
from streams.records.validation import InvalidRecord, validate_person

log = logging.getLogger(__name__)

SEQUENCE_DIGITS = 12
DELTA_BUDGET_BYTES = 512 * 1024
"""Most bytes of one stored delta: half of Kafka's default ``max.message.bytes`` (1 MiB), the
rest left to the key and the record framing. One event's op is far smaller (validation caps
a record's strings at 64 KiB, at most 6 bytes of JSON each)."""
DeltaStore = MutableMapping[str, Delta]
"""Where deltas are persisted: a Faust table in the worker, a dict offline."""


def _key(tenant: str, sequence: int) -> str:
    return f"{tenant}/{sequence:0{SEQUENCE_DIGITS}d}"


def _split_key(key: str) -> tuple[str, int]:
    tenant, _, sequence = key.rpartition("/")
    return tenant, int(sequence)


@dataclass
class StoredDeltas:
    """A tenant's stored deltas: the next sequence number and a min-heap of ``(newest event
    time, sequence)`` of the deltas holding events (deltas holding only directory changes are
    kept for good), so expiry costs O(log n) per expired delta."""

    next_sequence: int = 0
    newest: list[tuple[int, int]] = field(default_factory=list)

    def track(self, sequence: int, delta: Delta) -> None:
        """Note a stored delta."""
        self.next_sequence = max(self.next_sequence, sequence + 1)
        times = [op[2] for op in delta["ops"] if op[0] == "e"]
        if times:
            heapq.heappush(self.newest, (max(times), sequence))

    def forget_before(self, sequence: int) -> None:
        """Stop tracking the deltas before ``sequence`` (deleted)."""
        self.newest = [entry for entry in self.newest if entry[1] >= sequence]
        heapq.heapify(self.newest)

    def expired(self, before_ms: int) -> Iterator[int]:
        """Pop the sequences of the deltas whose newest event is older than ``before_ms``."""
        while self.newest and self.newest[0][0] < before_ms:
            yield heapq.heappop(self.newest)[1]


def _events(delta: Delta) -> int:
    return sum(1 for op in delta["ops"] if op[0] == "e")


def _reraise(_index: int, error: Exception) -> None:
    raise error


def _align(state: TenantState, person: str, entry: Person | None) -> None:
    team = None if entry is None else entry["team"]
    bot = entry is not None and entry.get("bot", False)
    if (
        state.directory.team_of(person) != (team or UNASSIGNED)
        or state.directory.is_bot(person) != bot
    ):
        state.set_team(person, team, bot)


@dataclass
class TenantSlot:
    """Everything one worker holds for one tenant: its state and knowledge observers (the
    input side, changed only by applying events and directory updates), its stored deltas,
    and the views the timers computed from the state (read by the collector)."""

    state: TenantState
    observers: KnowledgeObservers
    stored: StoredDeltas = field(default_factory=StoredDeltas)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    hidden_silos: dict[str, int] = field(default_factory=dict)
    open_requests: dict[tuple[str, str], int] = field(default_factory=dict)
    knowledge: dict[str, Any] = field(default_factory=dict)
    events_since_checkpoint: int = 0
    prune_before: int | None = None
    """Sequence of a checkpoint whose older deltas and checkpoints are to be deleted."""


class Runtime:
    """Applies interactions and directory updates to tenant states and persists their deltas.

    The directory entries this worker has read are kept here, for every tenant, so that a
    tenant rebuilt later (after a restart or a rebalance) is aligned with them. With
    ``checkpoints``, a tenant is rebuilt from its newest checkpoint and the deltas after it;
    once a checkpoint is confirmed, the deltas and checkpoints before it are deleted.
    """

    def __init__(
        self,
        config: AnalyticsConfig,
        store: DeltaStore,
        metrics: WorkerMetrics,
        checkpoints: Checkpoints | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.metrics = metrics
        self.checkpoints = checkpoints
        self.slots: dict[str, TenantSlot] = {}
        self._directory: dict[str, dict[str, Person | None]] = {}

    def state(self, tenant: str) -> TenantState:
        """The tenant's state, rebuilt from the store the first time it is needed."""
        return self.slot(tenant).state

    def slot(self, tenant: str) -> TenantSlot:
        """The tenant's slot, rebuilt from the store the first time it is needed."""
        slot = self.slots.get(tenant)
        if slot is None:
            slot = self.slots[tenant] = self._rebuild(tenant)
        return slot

    @property
    def snapshots(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per tenant, the snapshots of the latest refresh by window."""
        return {tenant: slot.snapshots for tenant, slot in self.slots.items() if slot.snapshots}

    @property
    def hidden_silos(self) -> dict[str, dict[str, int]]:
        """Per tenant, the hidden-silo counts of the latest Louvain pass by window."""
        return {t: slot.hidden_silos for t, slot in self.slots.items() if slot.hidden_silos}

    @property
    def open_requests(self) -> dict[str, dict[tuple[str, str], int]]:
        """Per tenant, the open requests of the latest refresh by (team label, age band)."""
        return {t: slot.open_requests for t, slot in self.slots.items() if slot.open_requests}

    @property
    def knowledge(self) -> dict[str, dict[str, Any]]:
        """Per tenant, the knowledge-flow section of the latest knowledge refresh."""
        return {t: slot.knowledge for t, slot in self.slots.items() if slot.knowledge}

    def stored_tenants(self) -> set[str]:
        """Tenants with deltas or checkpoints in the stores."""
        tenants = {_split_key(key)[0] for key in list(self.store.keys())}
        if self.checkpoints is not None:
            tenants |= self.checkpoints.tenants()
        return tenants

    def forget(self) -> None:
        """Drop in-memory states (after a rebalance); they are rebuilt from the store."""
        self.slots.clear()

    def _rebuild(self, tenant: str, align: bool = True) -> TenantSlot:
        started = time.perf_counter()
        with collector_paused():
            slot, start = self._restored(tenant)
            loaded = time.perf_counter()
            keys = sorted(
                (k for k in self._delta_keys(tenant) if _split_key(k)[1] >= start),
                key=lambda k: _split_key(k)[1],
            )
            for key in keys:
                delta = self.store[key]
                slot.state.apply_delta(delta)
                slot.stored.track(_split_key(key)[1], delta)
                slot.events_since_checkpoint += _events(delta)
        for person, entry in self._directory.get(tenant, {}).items() if align else ():
            _align(slot.state, person, entry)
        slot.observers.artifacts.drain_crossings()  # observed before the restart
        if keys or start:
            log.info(
                "rebuilt a tenant from %s (%.2f s) and %d deltas (%.2f s)",
                "a checkpoint" if start else "no checkpoint",
                loaded - started,
                len(keys),
                time.perf_counter() - loaded,
            )
        return slot

    def _restored(self, tenant: str) -> tuple[TenantSlot, int]:
        """A new slot from the tenant's newest checkpoint (or empty) and the sequence of the
        first delta to replay into it."""
        newest = None if self.checkpoints is None else self.checkpoints.newest(tenant)
        if newest is None:
            state = TenantState(tenant, self.config)
            slot = TenantSlot(state, KnowledgeObservers())
            slot.observers.attach(state)
            return slot, 0
        sequence, sealed = newest
        slot = TenantSlot(sealed.state, sealed.observers, StoredDeltas(next_sequence=sequence))
        slot.prune_before = sequence  # in case the worker stopped before deleting them
        return slot, sequence

    def _delta_keys(self, tenant: str) -> list[str]:
        return [k for k in list(self.store.keys()) if _split_key(k)[0] == tenant]

    def apply_directory(
        self, updates: Iterable[DirectoryUpdate], owns: Callable[[str], bool] = lambda _: True
    ) -> None:
        """Record directory updates; apply those of the tenants this worker ``owns`` (the
        others are applied when a tenant is rebuilt here, e.g. after a rebalance). Entries
        that break :func:`~streams.records.validation.validate_person` are skipped."""
        for tenant, person, entry in updates:
            try:
                validate_person(entry or {"tenant": tenant, "person": person}, entry is None)
            except InvalidRecord as error:
                log.warning("directory entry skipped: %s (%s)", error.reason, error.field)
                continue
            self._directory.setdefault(tenant, {})[person] = entry
            if tenant in self.slots or owns(tenant):
                _align(self.state(tenant), person, entry)

    def apply_events(
        self,
        events: Iterable[Interaction],
        failed: Callable[[int, Exception], None] = _reraise,
    ) -> list[Alert]:
        """Apply valid events in order; returns the alerts of the silo transitions they caused.

        An event whose application raises is rolled back (see the module docstring) and
        reported to ``failed`` with its index; by default the error is raised again. The
        outcome counters are added once per call and label, not once per event.
        """
        alerts: list[Alert] = []
        counts: Counter[tuple[str, str, str]] = Counter()
        for index, event in enumerate(events):
            tenant = event["tenant"]
            try:
                outcome = self._apply(tenant, event)
            except Exception as error:  # one record's fault: the tenant is rolled back
                failed(index, error)
                continue
            if outcome.feedback is not NO_FACTS:
                self._observe_feedback(tenant, outcome.feedback)
            counts[outcome.status, tenant, event["source"]] += 1
            alerts.extend(
                build_alert(tenant, self.config.silo_window, t) for t in outcome.transitions
            )
        self._count(counts)
        return alerts

    def _count(self, counts: Counter[tuple[str, str, str]]) -> None:
        metrics = self.metrics
        for (status, tenant, source), count in counts.items():
            if status in ("applied", "broadcast"):
                metrics.processed.labels(tenant, metrics.source_label(tenant, source)).inc(count)
            if status != "applied":
                rejected = {"broadcast": metrics.broadcast, "late": metrics.late}
                rejected.get(status, metrics.duplicate).labels(tenant).inc(count)

    def _apply(self, tenant: str, event: Interaction) -> Outcome:
        """Apply one event; if that raises, restore the state as it was before the event."""
        state = self.state(tenant)
        mark = state.journal.mark()
        try:
            return state.apply(event)
        except Exception as error:
            log.warning("rolling a tenant back: an event raised %s", type(error).__name__)
            pending = state.journal.until(mark)
            restored = self.slots[tenant] = self._rebuild(tenant, align=False)
            restored.state.restore_pending(pending)
            raise

    def _observe_feedback(self, tenant: str, facts: FeedbackFacts) -> None:
        metrics = self.metrics
        label = metrics.source_label
        for opened in facts.opened:
            metrics.request_counts(tenant, label(tenant, opened.source), opened.team).inc()
        for answered in facts.answered:
            source = label(tenant, answered.source)
            metrics.latencies(tenant, source, answered.scope, answered.team).observe(
                answered.latency_seconds
            )
        for unanswered in facts.unanswered:
            source = label(tenant, unanswered.source)
            metrics.unanswered_counts(tenant, source, unanswered.team).inc()

    def observe_crossings(self) -> None:
        """Feed the artifact cross-team times observed since the last call to the histogram."""
        for tenant, slot in self.slots.items():
            for seconds in slot.observers.artifacts.drain_crossings():
                self.metrics.crossings(tenant).observe(seconds)

    def refresh_knowledge(self, top_k: int) -> None:
        """Recompute every tenant's knowledge-flow section (O(people * teams) each)."""
        for slot in self.slots.values():
            slot.knowledge = knowledge_section(slot.state, slot.observers, top_k)

    def persist(self) -> None:
        """Store every tenant's pending delta, in consecutive parts of at most
        :data:`DELTA_BUDGET_BYTES`, and delete deltas that left the largest window or that
        a confirmed checkpoint replaced."""
        for tenant, slot in self.slots.items():
            delta = slot.state.take_delta()
            stored = slot.stored
            if delta["ops"] or delta["late"] or delta["duplicate"]:
                slot.events_since_checkpoint += _events(delta)
                for part in split(delta, DELTA_BUDGET_BYTES):
                    sequence = stored.next_sequence
                    self.store[_key(tenant, sequence)] = part
                    stored.track(sequence, part)
            self._prune(tenant, slot)
            self._expire(tenant, slot.state, stored)

    def due_checkpoints(self, share: float = 1.0) -> list[str]:
        """Tenants with at least ``share`` of ``every_events`` events applied (or replayed
        from deltas) since their last checkpoint (none without checkpoints or a key)."""
        checkpoints = self.checkpoints
        if checkpoints is None or checkpoints.key is None:
            return []
        least = max(1, int(checkpoints.every_events * share))
        return [t for t, slot in self.slots.items() if slot.events_since_checkpoint >= least]

    def checkpoint(self, tenant: str) -> None:
        """Store a checkpoint of the tenant after its stored deltas (call it right after
        :meth:`persist`, and :meth:`checkpointed` once the store has it); the deltas it
        replaces are deleted by the first :meth:`persist` after it, so call that only once
        the checkpoint is confirmed."""
        checkpoints, slot = self.checkpoints, self.slots[tenant]
        assert checkpoints is not None and checkpoints.key is not None
        started = time.perf_counter()
        blob = seal(slot.state, slot.observers, checkpoints.key)
        log.info("sealed a tenant's checkpoint in %.2f s", time.perf_counter() - started)
        sequence = slot.stored.next_sequence
        checkpoints.write(tenant, sequence, blob)
        slot.prune_before = sequence

    def checkpointed(self, tenants: Iterable[str]) -> None:
        """Note that the checkpoints just written of ``tenants`` are confirmed: their events
        since the previous checkpoint are covered."""
        for tenant in tenants:
            self.slots[tenant].events_since_checkpoint = 0

    def checkpoint_lags(self) -> dict[str, int]:
        """Per tenant, the events applied since its last confirmed checkpoint (what a restart
        would replay from deltas)."""
        return {tenant: slot.events_since_checkpoint for tenant, slot in self.slots.items()}

    def _prune(self, tenant: str, slot: TenantSlot) -> None:
        before = slot.prune_before
        if before is None or self.checkpoints is None:
            return
        for key in self._delta_keys(tenant):
            if _split_key(key)[1] < before:
                del self.store[key]
        self.checkpoints.prune(tenant, before)
        slot.stored.forget_before(before)
        slot.prune_before = None

    def _expire(self, tenant: str, state: TenantState, stored: StoredDeltas) -> None:
        """Drop the events of deltas that left the largest window; keep directory changes."""
        oldest_kept_ms = state.windows.oldest_kept_ms()
        if oldest_kept_ms is None:
            return
        for sequence in stored.expired(oldest_kept_ms):
            key = _key(tenant, sequence)
            delta = self.store[key]
            directory = [op for op in delta["ops"] if op[0] == "d"]
            if directory:
                self.store[key] = {**delta, "ops": directory, "late": 0, "duplicate": 0}
            else:
                del self.store[key]

    def watermarks(self) -> dict[str, int]:
        """Newest event time of every tenant that has seen one."""
        return {
            t: slot.state.windows.watermark
            for t, slot in self.slots.items()
            if slot.state.windows.watermark is not None
        }

    def refresh(self, top_k: int) -> None:
        """Recompute every tenant's snapshots for the exporter, with the ``top_k`` heaviest
        flow entries (O(teams) plus what changed, each)."""
        for tenant, slot in self.slots.items():
            state = slot.state
            for window in self.config.windows:
                with self.metrics.graph_compute.labels(tenant, window).time():
                    slot.snapshots[window] = state.snapshot(window, top_flow=top_k)
            if state.windows.watermark is not None:
                slot.open_requests = state.open_requests_by_age(state.windows.watermark)
