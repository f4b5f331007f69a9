"""Where sealed checkpoints are stored: in parts, next to the deltas they replace.

Keys are ``<tenant>/<sequence>.<part>.<parts>``: the checkpoint of a tenant's state after
every delta before ``sequence``, cut into ``parts`` values of at most ``part_bytes`` each
(a store may cap one value: Kafka's ``max.message.bytes``). A checkpoint counts only with all
its parts; the newest complete one is loaded.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from streams.engine.sealed import CheckpointError, Sealed, unseal

log = logging.getLogger(__name__)

SEQUENCE_DIGITS = 12
PART_DIGITS = 5
CheckpointStore = MutableMapping[str, bytes]
"""Where checkpoint parts are kept: a raw-bytes Faust table in the worker."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if enabled) for the block: loading a checkpoint and
    replaying the deltas after it allocate millions of objects that all stay alive, which the
    collector would otherwise scan again and again while they are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class PartKey(NamedTuple):
    """A parsed checkpoint part key."""

    tenant: str
    sequence: int
    part: int
    parts: int


def part_key(tenant: str, sequence: int, part: int, parts: int) -> str:
    """The key of one part of a tenant's checkpoint at ``sequence``."""
    return f"{tenant}/{sequence:0{SEQUENCE_DIGITS}d}.{part:0{PART_DIGITS}d}.{parts:0{PART_DIGITS}d}"


def parse_part_key(key: str) -> PartKey:
    """The fields of :func:`part_key`."""
    tenant, _, rest = key.rpartition("/")
    sequence, part, parts = rest.split(".")
    return PartKey(tenant, int(sequence), int(part), int(parts))


@dataclass
class Checkpoints:
    """A tenant's checkpoints in ``store``, sealed with ``key`` every ``every_events``
    applied events (``key`` ``None``: none are written, and finding one is an error, since
    the deltas it replaced are gone)."""

    store: CheckpointStore
    key: bytes | None
    every_events: int
    part_bytes: int

    def tenants(self) -> set[str]:
        """Tenants with checkpoint parts in the store."""
        return {parse_part_key(key).tenant for key in list(self.store.keys())}

    def newest(self, tenant: str) -> tuple[int, Sealed] | None:
        """The sequence and contents of the tenant's newest complete checkpoint."""
        parts: dict[int, dict[int, str]] = {}
        counts: dict[int, int] = {}
        for key in list(self.store.keys()):
            parsed = parse_part_key(key)
            if parsed.tenant == tenant:
                parts.setdefault(parsed.sequence, {})[parsed.part] = key
                counts[parsed.sequence] = parsed.parts
        complete = [seq for seq, held in parts.items() if len(held) == counts[seq]]
        if not complete:
            return None
        if self.key is None:
            raise CheckpointError("a tenant has checkpoints but no pseudonym key is set")
        sequence = max(complete)
        held = parts[sequence]
        blob = b"".join(self.store[held[part]] for part in sorted(held))
        return sequence, unseal(blob, self.key)

    def write(self, tenant: str, sequence: int, blob: bytes) -> None:
        """Store a sealed checkpoint of the tenant's state after the deltas before
        ``sequence``."""
        size = self.part_bytes
        count = max(1, -(-len(blob) // size))
        for part in range(count):
            value = blob[part * size : (part + 1) * size]
            self.store[part_key(tenant, sequence, part, count)] = value
        log.info("checkpointed a tenant in %d parts (%d bytes)", count, len(blob))

    def prune(self, tenant: str, before: int) -> None:
        """Delete the tenant's checkpoint parts older than ``before`` (and incomplete ones)."""
        for key in list(self.store.keys()):
            parsed = parse_part_key(key)
            if parsed.tenant == tenant and parsed.sequence < before:
                del self.store[key]
