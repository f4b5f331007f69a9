"""A Faust table whose keys ``<tenant>/…`` live on the partition of the tenant.

Interactions are keyed by tenant and partitioned with Kafka's default (murmur2)
partitioner; placing each delta on its tenant's partition keeps the table co-partitioned
with the interactions topic, whatever batch or timer writes it.
"""

from __future__ import annotations

from typing import Any, cast

import faust
from aiokafka.partitioner import murmur2  # type: ignore[import-untyped]


def tenant_partition(tenant: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives the key ``tenant``."""
    return cast(int, (murmur2(tenant.encode()) & 0x7FFFFFFF) % partitions)


class TenantTable(faust.Table[str, Any]):
    """A table keyed ``<tenant>/<suffix>`` and partitioned by tenant."""

    def partition_for_key(self, key: Any) -> int:
        """The partition of the tenant the key starts with."""
        tenant = str(key).rpartition("/")[0]
        return tenant_partition(tenant, self.partitions or self.app.conf.topic_partitions)
