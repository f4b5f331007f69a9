"""Sealed checkpoints: a tenant's whole analytics state as signed, compressed bytes.

A worker restarts from the newest checkpoint of each tenant plus the deltas stored after it,
instead of replaying every delta. The state (windows, directory, silo tracker, requests,
knowledge observers, counters) is pickled whole, so a restored state is the very state that
was sealed, whatever its representation, and zstd-compressed.

Unpickling runs code named in the bytes, so a checkpoint is accepted only with a valid
HMAC-SHA256 made with a key derived from the worker's secret pseudonym key: only a holder of
that secret can make the worker load a checkpoint, whoever can write to its changelog.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
from typing import NamedTuple

import cramjam

from streams.analytics.knowledge.section import KnowledgeObservers
from streams.analytics.tenant import TenantState

VERSION = b"orgpulse-checkpoint-3"
"""Bumped whenever the pickled state changes shape (2: nested adjacency, compacted buckets;
3: partner teams counted per team)."""
_TAG_BYTES = hashlib.sha256().digest_size
ZSTD_LEVEL = 1
"""zstd's fastest level: a checkpoint is sealed on the event loop."""


class CheckpointError(ValueError):
    """A checkpoint that is not signed with this worker's key or not of this version."""


class Sealed(NamedTuple):
    """What a checkpoint holds."""

    state: TenantState
    observers: KnowledgeObservers


def checkpoint_key(pseudonym_key: bytes) -> bytes:
    """The checkpoint signing key derived from the pseudonym key (never the key itself)."""
    return hmac.new(pseudonym_key, VERSION, hashlib.sha256).digest()


def _tag(key: bytes, body: bytes | memoryview) -> bytes:
    mac = hmac.new(key, VERSION, hashlib.sha256)
    mac.update(body)  # not VERSION + body: a checkpoint is tens of megabytes
    return mac.digest()


class _Compressing:
    """A write-only file for :func:`pickle.dump` that compresses what the pickler writes as
    it comes (in frames of about 64 KiB), so the uncompressed pickle, several times the size
    of the compressed one, never exists whole."""

    def __init__(self) -> None:
        self._compressor = cramjam.zstd.Compressor(ZSTD_LEVEL)

    def write(self, data: bytes | bytearray | pickle.PickleBuffer) -> int:
        """Compress ``data`` into the stream (a frame, or a large bytes-like payload such as a
        numpy array's buffer, which the pickler writes without copying it into a frame)."""
        chunk = data if isinstance(data, bytes) else bytes(data)  # the compressor takes bytes
        self._compressor.compress(chunk)
        return len(chunk)

    def finish(self) -> cramjam.Buffer:
        """The compressed stream, ended."""
        return self._compressor.finish()


def seal(state: TenantState, observers: KnowledgeObservers, key: bytes) -> bytes:
    """The signed, compressed bytes of a state and its observers (take its delta first:
    what is journaled but not taken is not restored as pending)."""
    stream = _Compressing()
    pickle.dump(Sealed(state, observers), stream, 5)
    body = stream.finish()
    return b"".join((_tag(key, memoryview(body)), body))


def unseal(blob: bytes, key: bytes) -> Sealed:
    """The state and observers of :func:`seal`'s bytes; raises :class:`CheckpointError`
    before unpickling anything not signed with ``key``."""
    tag, body = blob[:_TAG_BYTES], memoryview(blob)[_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(key, body)):
        raise CheckpointError("checkpoint not signed with this worker's key")
    sealed = pickle.loads(cramjam.zstd.decompress(body))  # signed above
    if not isinstance(sealed, Sealed):
        raise CheckpointError("not a tenant checkpoint")
    return sealed
