"""Packing events into ``orgpulse.InteractionBatch`` envelopes bounded by count and bytes.

One envelope holds events of one tenant (its Kafka key), at most ``max_events`` of them and
at most ``max_bytes`` of encoded items, so it stays well under the broker's maximum message
size (1 MiB by default). Single events stay first-class on the same topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from streams.kafka.codec import Codec
from streams.model import Interaction, InteractionBatch
from streams.settings import Settings

HEADER_BYTES = 10
"""The longest framing of a record (single-object: magic and fingerprint)."""
COUNT_BYTES = 10
"""The longest Avro ``long``: the item count of the envelope's array."""


def avro_long(value: int) -> bytes:
    """Avro's zigzag varint encoding of an integer.

    >>> avro_long(0), avro_long(-1), avro_long(1), avro_long(64)
    (b'\\x00', b'\\x01', b'\\x02', b'\\x80\\x01')
    """
    zigzag = (value << 1) ^ (value >> 63)
    out = bytearray()
    while zigzag > 0x7F:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


def avro_string(text: str) -> bytes:
    """Avro's encoding of a string: its UTF-8 length, then its UTF-8 bytes."""
    data = text.encode()
    return avro_long(len(data)) + data


@dataclass
class Envelope:
    """An open envelope of one tenant: its events, their Avro bodies and their size."""

    tenant: str
    items: list[Interaction] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    size: int = 0
    opened: float = 0.0
    """When its first event came (``time.monotonic()``), for the linger."""


class Packer:
    """Encodes events and packs them per tenant into bounded envelopes.

    :meth:`add` returns the envelope an event closed, if any (it would not have fit, or it
    filled the count); :meth:`drain` closes open envelopes. :meth:`encode` gives the bytes of
    a closed one. An event is encoded once on :meth:`add` (its size; a
    :class:`~streams.kafka.codec.CodecError` there refuses it before anything is packed).
    """

    def __init__(
        self,
        items: Codec[Interaction],
        envelopes: Codec[InteractionBatch],
        max_events: int,
        max_bytes: int,
    ) -> None:
        self.items = items
        self.envelopes = envelopes
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.open: dict[str, Envelope] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, items: Codec[Interaction], envelopes: Codec[InteractionBatch]
    ) -> Packer:
        """A packer bounded by ``settings.envelope_max_events`` and ``envelope_max_bytes``."""
        return cls(items, envelopes, settings.envelope_max_events, settings.envelope_max_bytes)

    def add(self, event: Interaction, now: float = 0.0) -> Envelope | None:
        """Pack ``event`` into its tenant's open envelope; returns the envelope closed to make
        room (or filled by ``event``; not both, as a new envelope is full only at a count of
        one, when no envelope stays open), else ``None``."""
        body = self.items.body(event)
        size = len(body)
        tenant = event["tenant"]
        closed = None
        current = self.open.get(tenant)
        if current is not None and current.size + size > self.max_bytes:
            closed = self.open.pop(tenant)
            current = None
        if current is None:
            framing = HEADER_BYTES + len(avro_string(tenant)) + COUNT_BYTES + 1
            current = self.open[tenant] = Envelope(tenant, size=framing, opened=now)
        current.items.append(event)
        current.bodies.append(body)
        current.size += size
        if len(current.items) >= self.max_events:  # never also closed for room: see above
            closed = self.open.pop(tenant)
        return closed

    def drain(self, opened_before: float | None = None) -> list[Envelope]:
        """Close the open envelopes (only those opened before ``opened_before`` if given)."""
        due = [
            tenant
            for tenant, envelope in self.open.items()
            if opened_before is None or envelope.opened < opened_before
        ]
        return [self.open.pop(tenant) for tenant in due]

    def pack(self, events: Iterable[Interaction]) -> Iterator[Envelope]:
        """Every event in bounded envelopes, each tenant's in order."""
        for event in events:
            closed = self.add(event)
            if closed is not None:
                yield closed
        yield from self.drain()

    def encode(self, envelope: Envelope) -> bytes:
        """The framed bytes of a closed envelope (at most ``max_bytes`` unless it holds one
        event bigger than that): an ``orgpulse.InteractionBatch`` body is the tenant, then the
        items array as one block (its count, the items) ended by a zero count."""
        bodies = envelope.bodies
        block = avro_long(len(bodies)) + b"".join(bodies) if bodies else b""
        return self.envelopes.frame(avro_string(envelope.tenant) + block + b"\x00")
