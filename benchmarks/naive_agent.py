"""Faust baselines of ``bench_worker.py``: a naive per-event agent, and a Faust ceiling.

The naive agent is the peer baseline: the straightforward Faust design with no batching.
For every record of the interactions topic it decodes and validates with
``check_interaction``, applies the event through the worker's ``Runtime`` (tenant state,
knowledge observers, counters and histograms), sends the alerts of silo transitions, and
persists that event's delta to a changelog-backed Faust table. A second agent applies the
directory topic record by record. There are no refresh, knowledge or Louvain timers, so it
does strictly less than the worker besides batching.

The naive agent reads single-object events only (one record, one event: the per-event
design); ``bench_worker.py`` gives it the single events.

The Faust ceiling (``--decode-only``) consumes the topic as the worker's agent does
(``take_events`` batches of ``batch_size`` within ``batch_within_seconds``), checks each
record's events with ``check_record`` (single events and envelopes, as the worker does) and
counts them, and does nothing else: the most any Faust worker with this consumer and codec
can do, whatever its analytics cost.

Both serve the worker's counters on ``/metrics``, so the benchmark polls them the same
way. Configured from the ``ORGPULSE_*`` environment:

    python benchmarks/naive_agent.py [--decode-only] [--loglevel warning]
"""

from __future__ import annotations

import argparse
from typing import cast

import faust
from faust.types import StreamT
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from streams.agents.faust_app import faust_app, raw_topic
from streams.agents.tenant_table import TenantTable
from streams.analytics.config import AnalyticsConfig
from streams.engine.runtime import DeltaStore, Runtime
from streams.kafka.codec import CodecError, alert_codec, interaction_codec, person_codec
from streams.metrics.counters import WorkerMetrics
from streams.records.check import Codecs, Rejection, check_interaction, check_record
from streams.settings import Settings, get_settings
from streams.timeutil import now_ms


def _add_naive_agents(app: faust.App, settings: Settings, metrics: WorkerMetrics) -> None:
    """The per-event ingest agent and the directory agent, on the worker's runtime."""
    table = TenantTable(
        app, name="deltas", beacon=app.tables.beacon, partitions=settings.partitions
    )
    app.tables.add(table)
    runtime = Runtime(AnalyticsConfig.from_settings(settings), cast(DeltaStore, table), metrics)
    codec, people, alerts_codec = (
        interaction_codec(settings),
        person_codec(settings),
        alert_codec(settings),
    )
    alerts = raw_topic(app, settings.topic_alerts)
    max_future_ms = settings.max_future_seconds * 1000

    @app.agent(raw_topic(app, settings.topic_interactions), concurrency=1, name="naive")
    async def ingest(stream: StreamT[bytes]) -> None:
        async for raw in stream:
            event = check_interaction(raw, codec, now_ms(), max_future_ms)
            if isinstance(event, Rejection):
                metrics.dead_lettered.labels(event.reason).inc()
                continue
            for alert in runtime.apply_events([event]):
                await alerts.send(key=alert["tenant"].encode(), value=alerts_codec.encode(alert))
            runtime.persist()  # this event's delta: one table write and changelog record
            runtime.observe_crossings()

    @app.agent(raw_topic(app, settings.topic_directory), concurrency=1, name="naive-directory")
    async def directory(stream: StreamT[bytes]) -> None:
        async for key, value in stream.items():
            tenant, _, person = (key or b"").decode().partition("/")
            try:
                entry = people.decode(value) if value else None
            except CodecError:
                continue
            runtime.apply_directory([(tenant, person, entry)])


def _add_decode_only_agent(app: faust.App, settings: Settings, metrics: WorkerMetrics) -> None:
    """An agent taking batches as the worker does and only checking and counting events."""
    codecs = Codecs.from_settings(settings)
    max_future_ms = settings.max_future_seconds * 1000

    @app.agent(raw_topic(app, settings.topic_interactions), concurrency=1, name="decode-only")
    async def decode_only(stream: StreamT[bytes]) -> None:
        batches = stream.take_events(  # type: ignore[attr-defined]  # missing from StreamT
            settings.batch_size, within=settings.batch_within_seconds
        )
        async for events in batches:
            clock = now_ms()
            for event in events:
                for checked in check_record(event.message.value, codecs, clock, max_future_ms):
                    result = checked.result
                    if isinstance(result, Rejection):
                        metrics.dead_lettered.labels(result.reason).inc()
                    else:
                        metrics.processed.labels(result["tenant"], result["source"]).inc()


def create_app(settings: Settings, decode_only: bool = False) -> faust.App:
    """The naive app, or with ``decode_only`` the Faust ceiling, serving ``/metrics``; its
    table stays in memory, as it was when this baseline was first measured (the worker's
    RocksDB store publishes writes only once a batch is confirmed, which this agent has not)."""
    app = faust_app(settings.model_copy(update={"store": "memory"}))
    registry = CollectorRegistry()
    metrics = WorkerMetrics(registry)
    (_add_decode_only_agent if decode_only else _add_naive_agents)(app, settings, metrics)

    @app.page("/metrics")
    async def exposition(view: View, request: Request) -> Response:
        body = generate_latest(registry)
        return view.bytes(body, content_type=CONTENT_TYPE_LATEST.split(";")[0])

    return app


def main() -> None:
    """Run the chosen baseline as a Faust worker until it is stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loglevel", default="warning")
    parser.add_argument(
        "--decode-only", action="store_true", help="run the Faust ceiling, not the naive agent"
    )
    args = parser.parse_args()
    app = create_app(get_settings(), decode_only=args.decode_only)
    faust.Worker(app, loglevel=args.loglevel).execute_from_commandline()


if __name__ == "__main__":
    main()
