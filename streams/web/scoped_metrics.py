"""``/metrics`` for a token limited to some tenants: only their series, and tenant-free ones."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

TENANT_LABEL = "tenant"


class TenantMetrics(Collector):
    """The metrics of ``source`` without the samples of tenants outside ``tenants``."""

    def __init__(self, source: Collector, tenants: frozenset[str]) -> None:
        self.source = source
        self.tenants = tenants

    def collect(self) -> Iterator[Metric]:
        """Each family of ``source`` with its samples filtered by their ``tenant`` label."""
        for family in self.source.collect():
            kept = copy.copy(family)
            kept.samples = [sample for sample in family.samples if self._visible(sample.labels)]
            yield kept

    def _visible(self, labels: dict[str, str]) -> bool:
        return TENANT_LABEL not in labels or labels[TENANT_LABEL] in self.tenants
