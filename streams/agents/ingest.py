"""The ingest agent: batches of raw interactions → DLQ or tenant states → deltas and alerts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from confluent_kafka import KafkaException
from faust.types import EventT, StreamT

from streams.agents.context import Worker
from streams.agents.tenant_table import tenant_partition
from streams.directory_reader import DirectoryUpdate
from streams.ingest import Rejection, check_interaction
from streams.model import Interaction
from streams.timeutil import now_ms

log = logging.getLogger(__name__)

DIRECTORY_RETRY_SECONDS = 0.5
DIRECTORY_RETRY_MAX_SECONDS = 2.0


async def dead_letter(worker: Worker, event: EventT[Any], rejection: Rejection) -> None:
    """Send the original bytes of a bad record to the DLQ with the reason in its headers."""
    message = event.message
    log.warning(
        "dead-lettered %s/%d@%d: %s (%s)",
        message.topic,
        message.partition,
        message.offset,
        rejection.reason,
        rejection.stage,
    )
    headers = {
        "reason": rejection.reason.encode(),
        "stage": rejection.stage.encode(),
        "detail": rejection.detail[:500].encode(),
        "source-topic": message.topic.encode(),
        "source-partition": str(message.partition).encode(),
        "source-offset": str(message.offset).encode(),
    }
    await worker.dlq.send(key=message.key, value=message.value, headers=headers)
    worker.metrics.dead_lettered.labels(rejection.reason).inc()


def owns(worker: Worker, tenant: str) -> bool:
    """Whether the tenant's partition of the interactions topic is assigned to this worker."""
    partition = tenant_partition(tenant, worker.settings.partitions)
    return any(
        tp.topic == worker.settings.topic_interactions and tp.partition == partition
        for tp in worker.app.consumer.assignment()
    )


async def catch_up_directory(worker: Worker) -> list[DirectoryUpdate]:
    """The directory updates up to the end of the topic, waiting out an unreachable broker.

    The batch must not fail: its events are taken from the stream, and an agent restarted
    after a crash would never see them again.
    """
    loop = asyncio.get_running_loop()
    delay = DIRECTORY_RETRY_SECONDS
    while True:
        try:
            return await loop.run_in_executor(None, worker.directory.catch_up)
        except (KafkaException, TimeoutError) as error:
            log.warning("directory not readable, retrying in %.1f s: %s", delay, error)
        await asyncio.sleep(delay)
        delay = min(2 * delay, DIRECTORY_RETRY_MAX_SECONDS)


async def process_batch(worker: Worker, events: Sequence[EventT[Any]]) -> None:
    """Check every record, catch the directory up, apply the valid ones, persist, alert."""
    settings = worker.settings
    clock = now_ms()
    valid: list[Interaction] = []
    for event in events:
        result = check_interaction(
            event.message.value, worker.codec, clock, settings.max_future_seconds * 1000
        )
        if isinstance(result, Rejection):
            await dead_letter(worker, event, result)
        else:
            valid.append(result)
    updates = await catch_up_directory(worker)
    worker.runtime.apply_directory(updates, partial(owns, worker))
    alerts = worker.runtime.apply_events(valid)
    worker.runtime.persist()
    worker.runtime.observe_crossings()
    for alert in alerts:
        await worker.alerts.send(
            key=alert["tenant"].encode(), value=worker.alert_codec.encode(alert)
        )


def register(worker: Worker) -> None:
    """Add the ingest agent to the worker's app (concurrency 1: see DESIGN §7)."""
    settings = worker.settings

    @worker.app.agent(worker.interactions, concurrency=1, name="ingest")
    async def ingest(stream: StreamT[bytes]) -> None:
        batches = stream.take_events(  # type: ignore[attr-defined]  # missing from StreamT
            settings.batch_size, within=settings.batch_within_seconds
        )
        async for events in batches:
            await process_batch(worker, events)
