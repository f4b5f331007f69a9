"""Faust's RocksDB table store, with writes made local only once the broker has them.

The worker keeps its deltas on disk (memory stays bounded by the analytics, not by the
events), and a restart on the same data directory reads only the changelog records written
after the persisted offset. Faust's store writes a value to RocksDB as soon as the table is
set, before its changelog record is on the broker: a worker killed in between would restart
with a delta the changelog never got, skip its events as duplicates, and lose them for good
once the partition moved to a worker without that disk. So this store holds a batch's
writes, deletions and persisted offsets in memory (reads see them) until
:meth:`TenantStore.publish` is called after the batch's changelog writes are confirmed; the
local database is then never ahead of the changelog.

Each key goes to the database of its tenant's partition (Faust's store would use the
partition of the record being processed, which in a batch of many partitions is not the
key's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

import rocksdict
from faust.stores.rocksdb import Store
from faust.types import TP

_DELETED = object()
"""Marks a key deleted in the pending writes."""

ROCKSDB_OPTIONS: dict[str, int] = {
    "block_cache_size": 4 * 1024**2,
    "block_cache_compressed_size": 1024**2,
    "write_buffer_size": 4 * 1024**2,
    "max_write_buffer_number": 2,
}
"""RocksDB sizes for a worker's deltas and checkpoints, per partition database: Faust's
defaults (a 2 GiB block cache, three 64 MiB write buffers) would let the store alone grow past
a worker's memory budget. The store is written in batches and read back only on a restart, so
a small cache costs little (the operating system's page cache serves the restart's reads):
with 64 MiB caches and 16 MiB buffers the worker ended the 500,000- and 1,000,000-event
backfills (``benchmarks/bench_backfill.py``) with about 90 MiB more resident memory."""


class TenantStore(Store):
    """A RocksDB store of ``<tenant>/…`` keys whose writes wait for :meth:`publish`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[bytes, object] = {}
        self._pending_offsets: dict[TP, int] = {}

    def publish(self) -> None:
        """Write the held values, deletions and persisted offsets to the databases (call it
        once the changelog records of the held writes are on the broker)."""
        batches: defaultdict[int, rocksdict.WriteBatch] = defaultdict(
            lambda: rocksdict.WriteBatch(raw_mode=True)
        )
        for key, value in self._pending.items():
            partition = self._partition(key)
            if value is _DELETED:
                batches[partition].delete(key)
                self._key_index.pop(key, None)
            else:
                batches[partition].put(key, value)
                self._key_index[key] = partition
        for partition, batch in batches.items():
            self._db_for_partition(partition).write(batch)
        self._pending.clear()
        offsets, self._pending_offsets = self._pending_offsets, {}
        for tp, offset in offsets.items():
            super().set_persisted_offset(tp, offset)

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Note the newest changelog offset on the broker; held until :meth:`publish` while
        writes are held (on disk it claims that every write before it is there too)."""
        if self._pending or tp in self._pending_offsets:
            self._pending_offsets[tp] = max(offset, self._pending_offsets.get(tp, offset))
        else:
            super().set_persisted_offset(tp, offset)

    def _partition(self, key: bytes) -> int:
        return cast(int, self.table.partition_for_key(self._decode_key(key)))

    def _set(self, key: bytes, value: bytes | None) -> None:
        self._pending[key] = value

    def _del(self, key: bytes) -> None:
        self._pending[key] = _DELETED

    def _get(self, key: bytes) -> bytes | None:
        if key in self._pending:
            value = self._pending[key]
            return None if value is _DELETED else cast(bytes, value)
        return super()._get(key)

    def _contains(self, key: bytes) -> bool:
        if key in self._pending:
            return self._pending[key] is not _DELETED
        return bool(super()._contains(key))

    def _iterkeys(self) -> Iterator[bytes]:
        pending = self._pending
        for key in super()._iterkeys():
            if key not in pending:
                yield key
        for key, held in pending.items():
            if held is not _DELETED:
                yield key

    def _iteritems(self) -> Iterator[tuple[bytes, bytes]]:
        for key in self._iterkeys():
            value = self._get(key)
            if value is not None:
                yield key, value

    def _itervalues(self) -> Iterator[bytes]:
        for _, value in self._iteritems():
            yield value

    def _size(self) -> int:
        return sum(1 for _ in self._iterkeys())
