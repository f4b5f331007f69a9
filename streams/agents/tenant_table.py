"""A Faust table whose keys ``<tenant>/…`` live on the partition of the tenant.

Interactions are keyed by tenant and partitioned with Kafka's default (murmur2)
partitioner; placing each delta on its tenant's partition keeps the table co-partitioned
with the interactions topic, whatever batch or timer writes it.

The table keeps the futures of its changelog writes until :meth:`TenantTable.take_unconfirmed`,
so that the ingest agent can wait until a batch's deltas are on the broker.
"""

from __future__ import annotations

from typing import Any, cast

import faust
from aiokafka.partitioner import murmur2  # type: ignore[import-untyped]
from faust.types import FutureMessage
from faust.types.codecs import CodecArg


def tenant_partition(tenant: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives the key ``tenant``."""
    return cast(int, (murmur2(tenant.encode()) & 0x7FFFFFFF) % partitions)


class TenantTable(faust.Table[str, Any]):
    """A table keyed ``<tenant>/<suffix>`` and partitioned by tenant."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._unconfirmed: list[FutureMessage] = []

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
