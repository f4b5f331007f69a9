"""The Faust application: topics, the delta table, agents, timers and web views.

``faust -A streams.app worker`` and ``orgpulse worker`` both run :data:`app`, configured
from the ``ORGPULSE_*`` environment.
"""

from __future__ import annotations

from typing import Any, cast

import faust
from prometheus_client import CollectorRegistry

from streams.agents import ingest, refresh
from streams.agents.context import Worker
from streams.agents.delivery import DeliveryGuard
from streams.agents.faust_app import faust_app, raw_topic
from streams.agents.tenant_table import TenantTable
from streams.analytics.config import AnalyticsConfig
from streams.connectors.pseudonym import checked_key
from streams.engine.checkpoints import Checkpoints, CheckpointStore
from streams.engine.runtime import DELTA_BUDGET_BYTES, DeltaStore, Runtime
from streams.engine.sealed import checkpoint_key
from streams.kafka.codec import alert_codec
from streams.kafka.directory_reader import DirectoryReader
from streams.metrics.collector import SnapshotCollector
from streams.metrics.counters import WorkerMetrics
from streams.records.check import Codecs
from streams.settings import Settings, get_settings
from streams.web import events_api, views, webhooks


def tenant_table(app: faust.App, settings: Settings, name: str, **options: Any) -> TenantTable:
    """A table of the app keyed by tenant; its store finds a key's partition by the key
    (``use_partitioner``), not by the record being processed."""
    table = TenantTable(
        app,
        name=name,
        beacon=app.tables.beacon,
        partitions=settings.partitions,
        use_partitioner=True,
        **options,
    )
    app.tables.add(table)
    return table


def create_app(settings: Settings) -> faust.App:
    """A Faust app wired for ``settings``, with its own Prometheus registry."""
    app = faust_app(settings)
    table = tenant_table(app, settings, "deltas")
    checkpoint_table = tenant_table(app, settings, "checkpoints", value_type=bytes)
    registry = CollectorRegistry()
    metrics = WorkerMetrics(registry, settings.max_sources_per_tenant)
    key = settings.pseudonym_key
    checkpoints = Checkpoints(
        cast(CheckpointStore, checkpoint_table),
        None if key is None else checkpoint_key(checked_key(key)),
        settings.checkpoint_events,
        DELTA_BUDGET_BYTES,
    )
    config = AnalyticsConfig.from_settings(settings)
    runtime = Runtime(config, cast(DeltaStore, table), metrics, checkpoints)
    registry.register(SnapshotCollector(runtime, settings.silo_window, settings.top_k))
    worker = Worker(
        settings=settings,
        app=app,
        runtime=runtime,
        deltas=table,
        checkpoints=checkpoint_table,
        metrics=metrics,
        interactions=raw_topic(app, settings.topic_interactions, settings.partitions),
        dlq=raw_topic(app, settings.topic_dlq),
        alerts=raw_topic(app, settings.topic_alerts),
        codecs=Codecs.from_settings(settings),
        alert_codec=alert_codec(settings),
        directory=DirectoryReader(settings),
        delivery=DeliveryGuard.on_broker(
            settings.bootstrap, settings.app_id, settings.broker_retry_seconds
        ),
    )
    ingest.register(worker)
    refresh.register(worker)
    views.register(worker)
    events_api.register(worker)
    webhooks.register(worker)
    return app


app = create_app(get_settings())
