"""What the agents, timers and web views of one worker share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import faust

from streams.agents.delivery import DeliveryGuard
from streams.agents.tenant_table import TenantTable
from streams.engine.runtime import Runtime
from streams.kafka.codec import Codec
from streams.kafka.directory_reader import DirectoryReader
from streams.metrics.counters import WorkerMetrics
from streams.model import Alert
from streams.records.check import Codecs
from streams.settings import Settings


@dataclass
class Worker:
    """Everything the agents, timers and views of one app share."""

    settings: Settings
    app: faust.App
    runtime: Runtime
    deltas: TenantTable
    checkpoints: TenantTable
    metrics: WorkerMetrics
    interactions: faust.TopicT
    dlq: faust.TopicT
    alerts: faust.TopicT
    codecs: Codecs
    alert_codec: Codec[Alert]
    directory: DirectoryReader
    delivery: DeliveryGuard
    """Checks the ingest agent's batches for skipped records (:mod:`streams.agents.delivery`)."""
    applying: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while a batch is applied, or an idle worker checkpoints: one at a time."""
    applied_at: float = 0.0
    """``time.monotonic()`` at which the last batch was done."""
