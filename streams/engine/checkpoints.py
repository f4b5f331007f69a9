"""Where sealed checkpoints are stored: in parts, next to the deltas they replace.

Keys are ``<tenant>/<sequence>.<part>.<parts>.<write>``: the checkpoint of a tenant's state
after every delta before ``sequence``, cut into ``parts`` values of at most ``part_bytes``
each (a store may cap one value: Kafka's ``max.message.bytes``), by the write ``write`` (a
random id). A checkpoint counts only with all the parts of one write; the newest complete one
is loaded. A worker stopped in the middle of a write leaves some of its parts behind, and the
worker after it may write the same sequence again cut into another number of parts: the write
id keeps the two apart.
"""

from __future__ import annotations

import gc
import logging
import secrets
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from streams.engine.sealed import CheckpointError, Sealed, unseal

log = logging.getLogger(__name__)

SEQUENCE_DIGITS = 12
PART_DIGITS = 5
WRITE_BYTES = 4
"""Random bytes of a write id (hex in the key): two writes of one sequence never share one."""
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
    write: str

    @property
    def checkpoint(self) -> tuple[int, str]:
        """The checkpoint the part belongs to: its sequence and write."""
        return self.sequence, self.write


def part_key(tenant: str, sequence: int, part: int, parts: int, write: str) -> str:
    """The key of one part of a tenant's checkpoint at ``sequence``, written by ``write``."""
    numbers = f"{sequence:0{SEQUENCE_DIGITS}d}.{part:0{PART_DIGITS}d}.{parts:0{PART_DIGITS}d}"
    return f"{tenant}/{numbers}.{write}"


def parse_part_key(key: str) -> PartKey:
    """The fields of :func:`part_key` (a key without a write id, as written before write ids
    existed, has the write ``""``)."""
    tenant, _, rest = key.rpartition("/")
    sequence, part, parts, *write = rest.split(".")
    return PartKey(tenant, int(sequence), int(part), int(parts), "".join(write))


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
        parts: dict[tuple[int, str], dict[int, str]] = {}
        counts: dict[tuple[int, str], int] = {}
        for key, parsed in self._parts(tenant):
            parts.setdefault(parsed.checkpoint, {})[parsed.part] = key
            counts[parsed.checkpoint] = parsed.parts
        complete = [found for found, held in parts.items() if len(held) == counts[found]]
        if not complete:
            return None
        if self.key is None:
            raise CheckpointError("a tenant has checkpoints but no pseudonym key is set")
        newest = max(complete)
        held = parts[newest]
        blob = b"".join(self.store[held[part]] for part in sorted(held))
        return newest[0], unseal(blob, self.key)

    def write(self, tenant: str, sequence: int, blob: bytes) -> None:
        """Store a sealed checkpoint of the tenant's state after the deltas before
        ``sequence``."""
        for key, parsed in self._parts(tenant):
            if parsed.sequence == sequence:  # left by a write that did not finish
                del self.store[key]
        size = self.part_bytes
        count = max(1, -(-len(blob) // size))
        write = secrets.token_hex(WRITE_BYTES)
        for part in range(count):
            value = blob[part * size : (part + 1) * size]
            self.store[part_key(tenant, sequence, part, count, write)] = value
        log.info("checkpointed a tenant in %d parts (%d bytes)", count, len(blob))

    def prune(self, tenant: str, before: int) -> None:
        """Delete the tenant's checkpoint parts older than ``before`` (and incomplete ones)."""
        for key, parsed in self._parts(tenant):
            if parsed.sequence < before:
                del self.store[key]

    def _parts(self, tenant: str) -> list[tuple[str, PartKey]]:
        """The keys of the tenant's checkpoint parts, parsed."""
        parsed = ((key, parse_part_key(key)) for key in list(self.store.keys()))
        return [(key, part) for key, part in parsed if part.tenant == tenant]
