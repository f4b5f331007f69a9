"""Timers: rebuild restored tenants, checkpoint an idle worker, refresh snapshots, and the
off-loop Louvain pass."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from streams.agents.context import Worker
from streams.agents.ingest import IDLE_SECONDS, checkpoint_idle, owns
from streams.agents.pacing import Pacer
from streams.analytics.silos.louvain import hidden_silos, prepare

log = logging.getLogger(__name__)

TIMER_SHARE = 0.05
"""Most of the worker's time the snapshot refresh, the knowledge refresh and the Louvain pass
may each take (see Pacer): 15 % for the three, the rest for ingestion. When a refresh takes
longer than 5 % of ``REFRESH_SECONDS`` (a large organization, a loaded machine), the gauges
refresh less often; the snapshot API computes its answer on request."""
RESTORE_SECONDS = 0.25
"""How often the worker looks, after an assignment, whether its tables are recovered, to
rebuild the tenants of its new partitions at once (a restart serves them again as soon as
their checkpoint is loaded and the deltas after it replayed, not at a refresh tick)."""
PARENT_POLL_SECONDS = 1.0


def settled(worker: Worker) -> bool:
    """Whether the app is neither rebalancing nor recovering tables."""
    app = worker.app
    recovered = app.tables.recovery.completed.is_set()  # type: ignore[attr-defined]
    return not app.rebalancing and not app.in_recovery and bool(recovered)


async def louvain_pass(worker: Worker, pool: ProcessPoolExecutor) -> None:
    """Count hidden silos of every tenant and window; the copy of a window is made on the
    loop, the Louvain pass in ``pool``'s process (a thread would hold the interpreter lock
    and starve ingestion for the whole pass)."""
    runtime = worker.runtime
    loop = asyncio.get_running_loop()
    for slot in list(runtime.slots.values()):
        state = slot.state
        for window in worker.settings.windows:
            source = prepare(state.windows.graphs[window], state.directory)
            count = await loop.run_in_executor(
                pool, hidden_silos, source, worker.settings.min_group_size
            )
            slot.hidden_silos[window] = count


def exit_with(parent: int) -> None:
    """End this process once ``parent`` is no longer its parent (it died, even by SIGKILL);
    checked every :data:`PARENT_POLL_SECONDS` in a daemon thread."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def louvain_pool() -> ProcessPoolExecutor:
    """One process for Louvain passes, started (spawned: the worker has threads) on its first
    pass; it ends with the worker, even one SIGKILLed (its queues keep their pipes open in the
    process itself, so it would otherwise outlive the worker, and a pass under way would take
    a core from the restarted one)."""
    return ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=exit_with,
        initargs=(os.getpid(),),
    )


def restore(worker: Worker) -> None:
    """Rebuild the stored tenants of this worker's partitions that it does not hold yet."""
    runtime = worker.runtime
    for tenant in runtime.stored_tenants() - runtime.slots.keys():
        if owns(worker, tenant):  # the store keeps the keys of revoked partitions
            runtime.state(tenant)


def register(worker: Worker) -> None:
    """Add the restore and refresh timers, forget tenant states (and the offsets expected
    next) when partitions are revoked or assigned, and rebuild those of the assigned
    partitions once their tables are recovered."""
    app, runtime, settings = worker.app, worker.runtime, worker.settings
    snapshots, knowledge_flow, communities = (Pacer(TIMER_SHARE) for _ in range(3))
    to_restore = asyncio.Event()

    @app.timer(RESTORE_SECONDS, name="restore")  # type: ignore[untyped-decorator]
    async def restored() -> None:
        if to_restore.is_set() and settled(worker):
            to_restore.clear()
            restore(worker)

    @app.timer(IDLE_SECONDS, name="idle-checkpoint")  # type: ignore[untyped-decorator]
    async def idle_checkpoint() -> None:
        if settled(worker):
            await checkpoint_idle(worker)

    @app.timer(settings.refresh_seconds, name="refresh")  # type: ignore[untyped-decorator]
    async def refresh() -> None:
        if settled(worker) and snapshots.due():
            with snapshots.run():
                runtime.refresh(settings.top_k)

    pool = louvain_pool()

    @app.timer(settings.louvain_seconds, name="louvain")  # type: ignore[untyped-decorator]
    async def louvain() -> None:
        if settled(worker) and communities.due():
            with communities.run():  # the copies take loop time, the passes only wall time
                await louvain_pass(worker, pool)

    @app.timer(settings.knowledge_seconds, name="knowledge")  # type: ignore[untyped-decorator]
    async def knowledge() -> None:
        if settled(worker) and knowledge_flow.due():
            with knowledge_flow.run():
                runtime.refresh_knowledge(settings.top_k)

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def on_revoked(app: Any, revoked: Any, **kwargs: Any) -> None:
        runtime.forget()
        worker.delivery.reset()

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def on_assigned(app: Any, assigned: Any, **kwargs: Any) -> None:
        worker.delivery.reset()
        to_restore.set()
