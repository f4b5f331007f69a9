"""Replaying recorded source items, whole or in parts, through the connector machinery."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from streams.connectors.base import Connector
from streams.connectors.records import RawInteraction, SourceItem


class Replay(Connector):
    """A connector whose records are the given items, in order."""

    name = "replay"

    def __init__(self, items: Sequence[SourceItem]) -> None:
        self.items = items

    def records(self) -> Iterator[SourceItem]:
        """The items, unchanged."""
        yield from self.items


def split_after_events(
    items: Sequence[SourceItem], events: int
) -> tuple[list[SourceItem], list[SourceItem]]:
    """The items up to and including the ``events``-th interaction, and the rest."""
    seen = 0
    for index, item in enumerate(items):
        seen += isinstance(item, RawInteraction)
        if seen == events:
            return list(items[: index + 1]), list(items[index + 1 :])
    raise ValueError(f"only {seen} interactions, cannot split after {events}")
