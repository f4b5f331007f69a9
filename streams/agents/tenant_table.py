"""A Faust table whose keys ``<tenant>/…`` live on the partition of the tenant.

Interactions are keyed by tenant and partitioned with Kafka's default (murmur2)
partitioner; placing each delta on its tenant's partition keeps the table co-partitioned
with the interactions topic, whatever batch or timer writes it.

The table keeps the futures of its changelog writes until :meth:`TenantTable.take_unconfirmed`,
so that the ingest agent can wait until a batch's deltas are on the broker, and then
:meth:`TenantTable.publish` them to its local store (:mod:`streams.agents.tenant_store`).
"""

from __future__ import annotations

from typing import Any, cast

import faust
from aiokafka.partitioner import murmur2  # type: ignore[import-untyped]
from faust.types import FutureMessage, StoreT
from faust.types.codecs import CodecArg
from yarl import URL

from streams.agents.tenant_store import ROCKSDB_OPTIONS, TenantStore


def tenant_partition(tenant: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives the key ``tenant``."""
    return cast(int, (murmur2(tenant.encode()) & 0x7FFFFFFF) % partitions)


class TenantTable(faust.Table[str, Any]):
    """A table keyed ``<tenant>/<suffix>`` and partitioned by tenant."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._unconfirmed: list[FutureMessage] = []

    def _new_store_by_url(self, url: str | URL) -> StoreT[Any, Any]:
        """A :class:`TenantStore` for ``rocksdb://``, Faust's store otherwise."""
        if URL(str(url)).scheme != "rocksdb":
            return super()._new_store_by_url(url)
        return TenantStore(
            url,
            self.app,
            self,
            table_name=self.name,
            key_type=self.key_type,
            key_serializer=self.key_serializer,
            value_serializer=self.value_serializer,
            value_type=self.value_type,
            loop=self.loop,
            options={**ROCKSDB_OPTIONS, **(self.options or {})},
        )

    def publish(self) -> None:
        """Make the confirmed writes local (:meth:`TenantStore.publish`); call it once
        :meth:`take_unconfirmed`'s futures have resolved."""
        store = self.data
        if isinstance(store, TenantStore):
            store.publish()

    def send_changelog(
        self,
        partition: int | None,
        key: Any,
        value: Any,
        key_serializer: CodecArg | None = None,
        value_serializer: CodecArg | None = None,
    ) -> FutureMessage:
        """Send a changelog record and remember its future (see :meth:`take_unconfirmed`)."""
        future = super().send_changelog(partition, key, value, key_serializer, value_serializer)
        self._unconfirmed.append(future)
        return future

    def take_unconfirmed(self) -> list[FutureMessage]:
        """The futures of the changelog writes since the last call; each resolves once its
        record is on the broker (or fails)."""
        futures, self._unconfirmed = self._unconfirmed, []
        return futures

    def partition_for_key(self, key: Any) -> int:
        """The partition of the tenant the key starts with."""
        tenant = str(key).rpartition("/")[0]
        return tenant_partition(tenant, self.partitions or self.app.conf.topic_partitions)
