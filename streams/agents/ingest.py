"""The ingest agent: batches of raw records → DLQ or tenant states → deltas and alerts.

A record is a single event or an envelope of many (:mod:`streams.records.check`). An event
that cannot be decoded, checked or applied is dead-lettered alone (an envelope item as its
own bytes, with its ``source-index``). Everything else
that goes wrong while a batch is processed is not one record's fault: the worker fail-stops
(:mod:`streams.agents.failstop`). A batch is done only once its dead letters, deltas and
alerts are on the broker, so the offsets Faust commits never pass a record whose effects
could still be lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, cast

from confluent_kafka import KafkaException
from faust.types import EventT, StreamT

from streams.agents.context import Worker
from streams.agents.failstop import EXIT_STOPPED, exit_now, fail_stop
from streams.agents.tenant_table import tenant_partition
from streams.kafka.directory_reader import DirectoryUpdate
from streams.model import Interaction
from streams.records.check import Checked, Rejection, check_record, own_bytes
from streams.timeutil import now_ms

log = logging.getLogger(__name__)

DIRECTORY_RETRY_SECONDS = 0.5
DIRECTORY_RETRY_MAX_SECONDS = 2.0
CONFIRM_SECONDS = 1.0
"""How long a batch applies events before it waits for their effects on the broker and acks
their records (Faust commits acked offsets every ``broker_commit_interval``): a batch of
1,000 envelopes holds about 30 s of work, which a restart would otherwise read again."""
IDLE_SECONDS = 2.0
"""How long no batch must have come before an idle worker checkpoints (see
:func:`checkpoint_idle`); a steady stream, whose batches come every ``batch_within_seconds``,
checkpoints every ``checkpoint_events`` only."""
IDLE_CHECKPOINT_SHARE = 0.05
"""Least share of ``checkpoint_events`` applied since a tenant's last checkpoint for an idle
worker to checkpoint it: a trickle of events does not seal a large state again and again."""


async def dead_letter(
    worker: Worker, event: EventT[Any], rejection: Rejection, item: Checked | None = None
) -> Awaitable[Any]:
    """Send a bad record to the DLQ with the reason in its headers; returns the delivery to
    wait for. An envelope ``item`` with its own bytes goes alone, with ``source-index``;
    otherwise the record's original bytes go whole."""
    message = event.message
    index = None if item is None or item.value is None else item.index
    log.warning(
        "dead-lettered %s/%d@%d%s: %s (%s)",
        message.topic,
        message.partition,
        message.offset,
        "" if index is None else f"#{index}",
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
    value = message.value
    if item is not None and item.value is not None:
        headers["source-index"] = str(item.index).encode()
        value = item.value
    delivery = await worker.dlq.send(key=message.key, value=value, headers=headers)
    worker.metrics.dead_lettered.labels(rejection.reason).inc()
    return delivery


def apply_rejection(error: Exception) -> Rejection:
    """The rejection of a valid record whose application raised ``error``."""
    return Rejection("apply_error", "apply", f"{type(error).__name__}: {error}")


def owns(worker: Worker, tenant: str) -> bool:
    """Whether the tenant's partition of the interactions topic is assigned to this worker."""
    partition = tenant_partition(tenant, worker.settings.partitions)
    return any(
        tp.topic == worker.settings.topic_interactions and tp.partition == partition
        for tp in worker.app.consumer.assignment()
    )


async def catch_up_directory(worker: Worker) -> list[DirectoryUpdate]:
    """The directory updates up to the end of the topic, waiting out an unreachable broker
    for at most ``broker_retry_seconds`` (then the last error is raised)."""
    loop = asyncio.get_running_loop()
    delay = DIRECTORY_RETRY_SECONDS
    deadline = time.monotonic() + worker.settings.broker_retry_seconds
    while True:
        try:
            return await loop.run_in_executor(None, worker.directory.catch_up)
        except (KafkaException, TimeoutError) as error:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("directory not readable, retrying in %.1f s: %s", delay, error)
        await asyncio.sleep(delay)
        delay = min(2 * delay, DIRECTORY_RETRY_MAX_SECONDS)


async def confirmed(worker: Worker, deliveries: list[Awaitable[Any]]) -> None:
    """Wait until the batch's sends and delta writes are on the broker, then make the delta
    writes local; raises if one failed or ``broker_retry_seconds`` pass."""
    tables = (worker.deltas, worker.checkpoints)
    pending = [*deliveries, *(future for table in tables for future in table.take_unconfirmed())]
    await asyncio.wait_for(asyncio.gather(*pending), worker.settings.broker_retry_seconds)
    for table in tables:
        table.publish()


async def checkpoint_due(worker: Worker, share: float = 1.0) -> None:
    """Checkpoint the tenants due for one (``share``: see :meth:`Runtime.due_checkpoints`;
    call it once everything before is confirmed) and wait until the checkpoints are on the
    broker: the deltas they replace are deleted only by later chunks."""
    due = worker.runtime.due_checkpoints(share)
    for tenant in due:
        worker.runtime.checkpoint(tenant)
    if due:
        await confirmed(worker, [])
        worker.runtime.checkpointed(due)
        log.info("checkpoints of %d tenants confirmed", len(due))


async def checkpoint_idle(worker: Worker) -> None:
    """Checkpoint the tenants with at least :data:`IDLE_CHECKPOINT_SHARE` of a checkpoint's
    events since their last one, once no batch has come for :data:`IDLE_SECONDS`: a worker
    that stops after a backfill, or a quiet night, then restarts from its last state instead
    of replaying up to ``checkpoint_events`` events of deltas."""
    if worker.applying.locked() or time.monotonic() - worker.applied_at < IDLE_SECONDS:
        return
    async with worker.applying:  # taken at once: nothing holds it
        await checkpoint_due(worker, IDLE_CHECKPOINT_SHARE)


Origin = tuple[EventT[Any], Checked]
"""The Kafka record an event came in, and the event as checked (its index in an envelope)."""


async def process_batch(
    worker: Worker, events: Sequence[EventT[Any]], ack: Callable[[EventT[Any]], Awaitable[Any]]
) -> None:
    """Fail-stop if records before these were skipped (:mod:`streams.agents.delivery`),
    check every record's events, catch the directory up, apply the valid ones in chunks of
    at most ``batch_size`` events (an envelope carries many), persist, alert, and wait until
    all of it is on the broker; bad events go to the DLQ. A long batch (of envelopes) is
    confirmed every :data:`CONFIRM_SECONDS` and its records done so far are ``ack``-ed, so
    the committed offsets follow the work and a restart reads little of it again."""
    settings = worker.settings
    await worker.delivery.check(events)
    clock = now_ms()
    deliveries: list[Awaitable[Any]] = []
    updates = await catch_up_directory(worker)
    worker.runtime.apply_directory(updates, partial(owns, worker))
    chunk: list[Origin] = []
    done = 0
    confirm_at = time.monotonic() + CONFIRM_SECONDS
    for position, event in enumerate(events):
        for checked in check_record(
            event.message.value, worker.codecs, clock, settings.max_future_seconds * 1000
        ):
            if isinstance(checked.result, Rejection):
                deliveries.append(await dead_letter(worker, event, checked.result, checked))
            else:
                chunk.append((event, checked))
        if len(chunk) >= settings.batch_size:
            deliveries += await apply_chunk(worker, chunk)
            chunk = []
            if worker.runtime.due_checkpoints() or time.monotonic() >= confirm_at:
                await confirmed(worker, deliveries)
                deliveries = []
                for record in events[done : position + 1]:  # all their events are applied
                    await ack(record)
                done = position + 1
                await checkpoint_due(worker)
                confirm_at = time.monotonic() + CONFIRM_SECONDS
            await asyncio.sleep(0)  # let heartbeats and the web views run between chunks
    deliveries += await apply_chunk(worker, chunk)
    await confirmed(worker, deliveries)
    await checkpoint_due(worker)


async def apply_chunk(worker: Worker, chunk: Sequence[Origin]) -> list[Awaitable[Any]]:
    """Apply valid events, dead-letter those whose application raises, persist and send the
    alerts; returns the deliveries to wait for."""
    runtime = worker.runtime
    deliveries: list[Awaitable[Any]] = []
    failures: list[tuple[int, Exception]] = []
    valid = [cast(Interaction, checked.result) for _, checked in chunk]
    alerts = runtime.apply_events(valid, lambda index, error: failures.append((index, error)))
    for index, error in failures:
        event, checked = chunk[index]
        deliveries.append(
            await dead_letter(worker, event, apply_rejection(error), alone(worker, checked))
        )
    runtime.persist()
    runtime.observe_crossings()
    for alert in alerts:
        key, value = alert["tenant"].encode(), worker.alert_codec.encode(alert)
        deliveries.append(await worker.alerts.send(key=key, value=value))
    return deliveries


def alone(worker: Worker, checked: Checked) -> Checked | None:
    """A valid envelope item with its own bytes, to dead-letter it alone (``None``: a single
    event, or an item that cannot be encoded alone: the record goes whole)."""
    if checked.index is None:
        return None
    value = own_bytes(worker.codecs.interactions, cast(Interaction, checked.result))
    return Checked(checked.result, checked.index, value)


def register(worker: Worker) -> None:
    """Add the ingest agent to the worker's app (concurrency 1: see DESIGN §7)."""
    settings = worker.settings

    @worker.app.agent(worker.interactions, concurrency=1, name="ingest")
    async def ingest(stream: StreamT[bytes]) -> None:
        batches = stream.take_events(  # type: ignore[attr-defined]  # missing from StreamT
            settings.batch_size, within=settings.batch_within_seconds
        )
        async for events in batches:
            try:
                async with worker.applying:
                    await process_batch(worker, events, stream.ack)
                worker.applied_at = time.monotonic()
            except asyncio.CancelledError:  # stopped mid-batch: leave it uncommitted
                log.warning("stopped mid-batch; its records are read again on restart")
                exit_now(EXIT_STOPPED)
            except Exception as error:
                fail_stop(error, events)
