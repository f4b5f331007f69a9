"""Event-time rolling windows of one tenant, bucketed (DESIGN §3 "Window").

bucket(t) = floor(t / g); the watermark is the largest occurred_at seen; window W covers
buckets B - W/g + 1 … B with B = bucket(watermark). Each kept bucket holds its aggregated
pairs and event ids, so it can leave each window (subtracted) and finally be dropped
when it leaves the largest window: memory is bounded by the largest window.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.graph.person_graph import Adjacency, GraphStore, WindowGraph
from streams.analytics.graph.teams import Slots

PACKED_LIMIT = 2**63 - 1
"""The largest value a compacted pair holds (a signed 64-bit array item)."""


@dataclass
class Bucket:
    """One bucket: the ids of its events and its aggregated pairs.

    Pairs added while the bucket is current aggregate in ``edges`` (``actor → target →
    [count, weight_micro]``); :meth:`compact` moves them to four flat arrays, a few dozen bytes
    a pair instead of a couple of hundred. Pairs added later (events out of order) aggregate in
    ``edges`` again until the next compaction; a pair may so be held in two parts, whose sum
    is the pair (:meth:`pairs`).
    """

    edges: Adjacency = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    counts: array[int] = field(default_factory=lambda: array("q"))
    weights: array[int] = field(default_factory=lambda: array("q"))

    def compact(self) -> None:
        """Move the aggregated pairs of ``edges`` to the arrays (beyond 64 bits: kept)."""
        kept: Adjacency = {}
        for actor, targets in self.edges.items():
            for target, (count, weight) in targets.items():
                if weight > PACKED_LIMIT or count > PACKED_LIMIT:
                    kept.setdefault(actor, {})[target] = [count, weight]
                    continue
                self.actors.append(actor)
                self.targets.append(target)
                self.counts.append(count)
                self.weights.append(weight)
        self.edges = kept

    def stats(self) -> Iterator[tuple[str, str, int, int]]:
        """``(actor, target, count, weight_micro)`` of every part of every pair."""
        yield from zip(self.actors, self.targets, self.counts, self.weights, strict=True)
        for actor, targets in self.edges.items():
            for target, (count, weight) in targets.items():
                yield actor, target, count, weight

    def pairs(self) -> dict[tuple[str, str], tuple[int, int]]:
        """``(actor, target) → (count, weight_micro)``, the parts summed."""
        summed: dict[tuple[str, str], tuple[int, int]] = {}
        for actor, target, count, weight in self.stats():
            before = summed.get((actor, target), (0, 0))
            summed[(actor, target)] = (before[0] + count, before[1] + weight)
        return summed


class RollingWindows:
    """The buckets of one tenant and one :class:`WindowGraph` per configured window.

    ``spans`` maps a window name to its length in buckets. The windows share one
    :class:`GraphStore` (one edge map with a slot per window): an added pair is accounted
    once in its bucket and once in the store, for every window holding the bucket, at once;
    a bucket leaving a window is subtracted from that window's slot. Nothing is deferred, so
    :attr:`graphs` is always up to date and reading it changes nothing.
    """

    def __init__(self, bucket_ms: int, spans: Mapping[str, int], directory: Directory) -> None:
        self.bucket_ms = bucket_ms
        self.spans = dict(spans)
        self.directory = directory
        self.store = GraphStore(directory, len(self.spans))
        self.graphs = {name: WindowGraph(self.store, slot) for slot, name in enumerate(spans)}
        """The window graphs by name."""
        self.watermark: int | None = None
        self.current: int | None = None
        """B, the bucket of the watermark (``None`` before the first event)."""
        self._largest = max(self.spans.values())
        self._all = tuple(range(len(self.spans)))
        self._buckets: dict[int, Bucket] = {}
        self._seen: set[str] = set()

    def bucket_of(self, t_ms: int) -> int:
        """The bucket index of an event time."""
        return t_ms // self.bucket_ms

    def is_late(self, t_ms: int) -> bool:
        """Whether an event at ``t_ms`` is older than the oldest kept bucket."""
        current = self.current
        return current is not None and self.bucket_of(t_ms) <= current - self._largest

    def seen(self, event_id: str) -> bool:
        """Whether ``event_id`` belongs to a kept bucket (a duplicate delivery)."""
        return event_id in self._seen

    def add(self, event: AcceptedEvent) -> None:
        """Advance the watermark to the event's time if newer, then add its pairs.

        The caller has checked that the event is neither late nor a duplicate.
        """
        self._advance(event.occurred_at)
        index = event.occurred_at // self.bucket_ms
        bucket = self._buckets.get(index)
        if bucket is None:
            bucket = self._buckets[index] = Bucket()
        bucket.events.append(event.event_id)
        self._seen.add(event.event_id)
        if event.broadcast or not event.targets:  # no pairs (AcceptedEvent.edges)
            return
        actor, weight = event.actor, event.weight
        stats = bucket.edges.get(actor)
        if stats is None:
            stats = bucket.edges[actor] = {}
        for target in event.targets:
            counted = stats.get(target)
            if counted is None:
                stats[target] = [1, weight]
            else:
                counted[0] += 1
                counted[1] += weight
        self.store.add_pairs(actor, event.targets, weight, self._holding(index))

    def move(self, person: str, team: str | None, bot: bool = False) -> None:
        """Apply a directory change, moving the person's contributions in every window."""
        old = self.directory.set(person, team, bot)
        self.store.relabel(person, old, self.directory.team_of(person))

    def oldest_kept_ms(self) -> int | None:
        """Start time of the oldest bucket of the largest window (``None`` before any event)."""
        current = self.current
        return None if current is None else (current - self._largest + 1) * self.bucket_ms

    def buckets(self) -> Iterator[tuple[int, Bucket]]:
        """Kept buckets in time order."""
        for index in sorted(self._buckets):
            yield index, self._buckets[index]

    def restore(self, watermark: int | None, buckets: Mapping[int, Bucket]) -> None:
        """Load kept buckets into an empty instance, rebuilding every window from them."""
        self.watermark = watermark
        self.current = None if watermark is None else self.bucket_of(watermark)
        self._buckets = dict(buckets)
        for index, bucket in self.buckets():
            self._seen.update(bucket.events)
            self.store.add_stats(bucket.stats(), +1, self._holding(index))

    def _holding(self, index: int) -> Slots:
        """The slots of the windows holding bucket ``index``."""
        current = self.current
        assert current is not None
        if index == current:
            return self._all
        return tuple(s for s, span in enumerate(self.spans.values()) if index > current - span)

    def _advance(self, t_ms: int) -> None:
        if self.watermark is not None and t_ms <= self.watermark:
            return
        old, new = self.current, self.bucket_of(t_ms)
        self.watermark, self.current = t_ms, new
        if old is None or new <= old:
            return
        spans = list(self.spans.values())
        for index in sorted(self._buckets):
            bucket = self._buckets[index]
            if bucket.edges:  # no longer current, or added to out of order
                bucket.compact()
            leaving = tuple(s for s, span in enumerate(spans) if old - span < index <= new - span)
            if leaving:
                self.store.add_stats(bucket.stats(), -1, leaving)
            if index <= new - self._largest:
                self._seen.difference_update(self._buckets.pop(index).events)
