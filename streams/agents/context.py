"""What the agents, timers and web views of one worker share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import faust

from streams.agents.delivery import Continuity
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
    applying: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while a batch is applied, or an idle worker checkpoints: one at a time."""
    applied_at: float = 0.0
    """``time.monotonic()`` at which the last batch was done."""
    continuity: Continuity = field(default_factory=Continuity)
    """The offsets the ingest agent expects next (:mod:`streams.agents.delivery`)."""
