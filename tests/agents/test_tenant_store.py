"""The worker's RocksDB store: writes reach the disk only when published, each in the database
of its tenant's partition, and reads see held writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust
from faust.types import TP

from streams.agents.tenant_store import TenantStore
from streams.agents.tenant_table import TenantTable, tenant_partition

PARTITIONS = 4


def store_in(path: Path) -> TenantStore:
    """A fresh store of a ``deltas`` table in ``path`` (a new process opening the same disk)."""
    app = faust.App("store-test", store="rocksdb://", datadir=str(path), topic_partitions=4)
    table = TenantTable(app, name="deltas", partitions=PARTITIONS, use_partitioner=True)
    store = table.data
    assert isinstance(store, TenantStore)
    return store


def on_disk(store: TenantStore) -> dict[str, Any]:
    """What the databases of every partition hold, by key (persisted offsets left out)."""
    found = {}
    for partition in range(PARTITIONS):
        db = store._db_for_partition(partition)
        for key, value in db.items():
            if key != store.offset_key:
                found[store._decode_key(key)] = (partition, store._decode_value(value))
    return found


def test_writes_are_local_only_once_published(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    store["acme/000000000000"] = {"ops": [1]}
    store["globex/000000000000"] = {"ops": [2]}
    store.set_persisted_offset(TP("deltas-changelog", 1), 41)
    assert store["acme/000000000000"] == {"ops": [1]}  # reads see held writes
    assert sorted(store.keys()) == ["acme/000000000000", "globex/000000000000"]
    assert on_disk(store) == {}
    assert store.persisted_offset(TP("deltas-changelog", 1)) is None  # held with the writes

    store.publish()
    assert on_disk(store) == {
        "acme/000000000000": (tenant_partition("acme", PARTITIONS), {"ops": [1]}),
        "globex/000000000000": (tenant_partition("globex", PARTITIONS), {"ops": [2]}),
    }
    assert store.persisted_offset(TP("deltas-changelog", 1)) == 41

    del store["acme/000000000000"]
    store["acme/000000000001"] = {"ops": [3]}
    assert "acme/000000000001" in store and "globex/000000000000" in store
    assert "acme/000000000000" not in store
    assert "acme/000000000000" in on_disk(store)  # the deletion is held too
    store.publish()
    assert sorted(on_disk(store)) == ["acme/000000000001", "globex/000000000000"]
