"""Reading events back from the interactions topic, whatever their framing."""

from __future__ import annotations

from collections.abc import Iterable

from streams.kafka.topic_reader import read_to_end
from streams.model import Interaction
from streams.records.check import Codecs
from streams.settings import Settings


def decoded_events(settings: Settings, values: Iterable[bytes | None]) -> list[Interaction]:
    """The events in these record values, in order: an envelope's items, or the single
    event; ``None`` values are skipped. Raises ``CodecError`` for bytes that are neither."""
    codecs = Codecs.from_settings(settings)
    events: list[Interaction] = []
    for value in values:
        if value is None:
            continue
        if codecs.envelopes.writes(value):
            events += codecs.envelopes.decode(value)["items"]
        else:
            events.append(codecs.interactions.decode(value))
    return events


def topic_events(settings: Settings) -> list[Interaction]:
    """Every event on the settings' interactions topic now, by partition and offset."""
    messages = read_to_end(settings.bootstrap, settings.topic_interactions)
    return decoded_events(settings, (m.value() for m in messages))
