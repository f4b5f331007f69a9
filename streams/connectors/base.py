"""The connector contract: implement :meth:`Connector.records`; the rest is inherited."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from streams.connectors.emitter import DeliveryStats, Emitter
from streams.connectors.records import RawPerson, Skipped, SourceItem
from streams.kafka.codec import CodecError
from streams.records.validation import InvalidRecord

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """Outcome of one connector run: records read, produced and skipped (by reason)."""

    read: int = 0
    produced: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    delivery: DeliveryStats = field(default_factory=DeliveryStats)


class Connector(ABC):
    """A source of interactions and directory entries, in the style of quix-streams sources.

    Subclasses implement :meth:`records`, yielding :class:`RawInteraction` and
    :class:`RawPerson` values with raw person ids (or :class:`Skipped` for unreadable
    input). :meth:`run` pseudonymizes, validates, encodes and produces them through an
    :class:`Emitter`, skips invalid ones with a reason, flushes, and raises if anything could
    not be delivered.
    """

    name = "connector"
    _stopping = False

    @abstractmethod
    def records(self) -> Iterator[SourceItem]:
        """Yield the records of this source, directory entries before the events needing them."""

    def run(self, emitter: Emitter, progress: Callable[[int], None] | None = None) -> RunSummary:
        """Produce every record of :meth:`records`; invalid ones are skipped and counted.

        The directory entries that precede an interaction are flushed before it is produced,
        so a worker always knows the teams of the people in an event.
        """
        summary = RunSummary()
        self._stopping = False
        try:
            self._produce_all(emitter, summary, progress)
        except BaseException:
            emitter.flush()
            raise
        summary.delivery = emitter.close()
        return summary

    def _produce_all(
        self, emitter: Emitter, summary: RunSummary, progress: Callable[[int], None] | None
    ) -> None:
        directory_pending = False
        for item in self.records():
            if self._stopping:
                break
            summary.read += 1
            if progress is not None:
                progress(summary.read)
            if isinstance(item, Skipped):
                summary.skipped[item.reason] += 1
                log.warning("%s: skipped %s: %s", self.name, item.where, item.reason)
                continue
            if directory_pending and not isinstance(item, RawPerson):
                emitter.flush()
            directory_pending = isinstance(item, RawPerson)
            try:
                emitter.emit(item)
            except (InvalidRecord, CodecError) as error:
                summary.skipped[error.reason] += 1
                log.warning("%s: skipped record %d: %s", self.name, summary.read, error.reason)
                continue
            summary.produced += 1

    def stop(self) -> None:
        """Ask a running :meth:`run` (e.g. in another thread) to stop after the current record."""
        self._stopping = True
