"""Event-time rolling windows of one tenant, bucketed (DESIGN §3 "Window").

bucket(t) = floor(t / g); the watermark is the largest occurred_at seen; window W covers
buckets B - W/g + 1 … B with B = bucket(watermark). Each kept bucket holds its aggregated
edge deltas and event ids, so it can leave each window (subtracted) and finally be dropped
when it leaves the largest window: memory is bounded by the largest window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.graph.person_graph import WindowGraph
from streams.analytics.pairs import Edge


@dataclass
class Bucket:
    """One bucket: aggregated ``edge → [count, weight_micro]`` and the ids of its events."""

    edges: dict[Edge, list[int]] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)


class RollingWindows:
    """The buckets of one tenant and one :class:`WindowGraph` per configured window.

    ``spans`` maps a window name to its length in buckets. Added pairs are aggregated per
    bucket and folded into the window graphs when the graphs are read (:attr:`graphs`), a
    person moves, or the watermark enters a new bucket: a pair repeated within a batch
    costs one dict update, not one graph update per window. The aggregates are exact
    integers, so folding later gives the same graphs as folding at once.
    """

    def __init__(self, bucket_ms: int, spans: Mapping[str, int], directory: Directory) -> None:
        self.bucket_ms = bucket_ms
        self.spans = dict(spans)
        self.directory = directory
        self._graphs = {name: WindowGraph(directory) for name in self.spans}
        self.watermark: int | None = None
        self.current: int | None = None
        """B, the bucket of the watermark (``None`` before the first event)."""
        self._largest = max(self.spans.values())
        self._buckets: dict[int, Bucket] = {}
        self._pending: dict[int, dict[Edge, list[int]]] = {}
        self._seen: set[str] = set()

    @property
    def graphs(self) -> dict[str, WindowGraph]:
        """The window graphs by name, up to date with every added event."""
        self._fold()
        return self._graphs

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
        pending = self._pending.get(index)
        if pending is None:
            pending = self._pending[index] = {}
        weight = event.weight
        for edge in event.edges():
            for stats in (bucket.edges, pending):
                counted = stats.get(edge)
                if counted is None:
                    stats[edge] = [1, weight]
                else:
                    counted[0] += 1
                    counted[1] += weight

    def move(self, person: str, team: str | None, bot: bool = False) -> None:
        """Apply a directory change, moving the person's contributions in every window."""
        graphs = self.graphs.values()
        old = self.directory.set(person, team, bot)
        new = self.directory.team_of(person)
        for graph in graphs:
            graph.relabel(person, old, new)

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
            for graph in self._graphs_holding(index):
                graph.add_stats(bucket.edges, +1)

    def _graphs_holding(self, index: int) -> list[WindowGraph]:
        current = self.current
        assert current is not None
        return [g for name, g in self._graphs.items() if index > current - self.spans[name]]

    def _fold(self) -> None:
        """Add the pending pairs to the graphs of the windows holding their bucket."""
        for index, stats in self._pending.items():
            for graph in self._graphs_holding(index):
                graph.add_stats(stats, +1)
        self._pending.clear()

    def _advance(self, t_ms: int) -> None:
        if self.watermark is not None and t_ms <= self.watermark:
            return
        old, new = self.current, self.bucket_of(t_ms)
        if old is not None and new > old:
            self._fold()  # while the pending buckets are held by the same windows
        self.watermark, self.current = t_ms, new
        if old is None or new <= old:
            return
        kept = sorted(self._buckets)
        for name, span in self.spans.items():
            leaving = [i for i in kept if old - span < i <= new - span]
            for index in leaving:
                self._graphs[name].add_stats(self._buckets[index].edges, -1)
        for index in kept:
            if index <= new - self._largest:
                self._seen.difference_update(self._buckets.pop(index).events)
