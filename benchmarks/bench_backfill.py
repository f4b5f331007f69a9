"""Backfill: time to replay a large history to a served snapshot, then a SIGKILL and restart.

Produces ``--events`` (default 1,000,000) events of a simulated 10,000-person, 200-team
organization (seed 7) spread over ``--days`` (default 30) of event time, so the 28-day window
expires buckets during the replay. They are produced in envelopes, as the importers write a
history, and all before the worker starts, so producing is not part of the figure. Then:

1. starts the worker and polls ``/metrics`` until every event is counted, and fetches the 28d
   snapshot from the snapshot API: worker start → served snapshot with all events counted,
   and the worker's RSS at that point;
2. SIGKILLs the worker right after (no shutdown, nothing flushed beyond what it had
   confirmed), starts it again on the same data directory and polls the snapshot API until
   the 28d snapshot is served and equal to the one before the kill (the whole JSON: a
   snapshot has no wall-clock field, its ``as_of`` is the event-time watermark): restart →
   the same snapshot served. This restart re-reads what was not committed yet and replays
   the deltas since the last checkpoint;
3. waits until the restarted worker is at rest (every record committed, its idle checkpoint
   confirmed if one was due: ``orgpulse_events_since_checkpoint`` below 5 % of
   ``checkpoint_events``), SIGKILLs it and measures the same
   restart again: the restart of a worker stopped after a backfill.

    .venv/bin/python benchmarks/bench_backfill.py [--events 1000000] [--people 10000]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
import urllib.error
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    BACKFILL_TENANT,
    WORKER_COMMAND,
    Sampler,
    ServiceProcess,
    backfill_simulator,
    bench_settings,
    count_run,
    figure,
    local_broker,
    produce,
    rss_mib,
)

from streams.agents.ingest import IDLE_CHECKPOINT_SHARE
from streams.kafka.group_offsets import uncommitted
from streams.settings import Settings

BROKER_PORT, WEB_PORT = 29094, 26068
POLL_BACKFILL_SECONDS = 5.0
"""A 200-team org's /metrics has over 10,000 series: one scrape takes the worker
hundreds of milliseconds, so a Prometheus-like interval keeps the measurement honest."""
POLL_RESTART_SECONDS = 0.5
"""The snapshot API answers in O(teams) from aggregates; a restart is polled more closely."""
CHECKPOINT_LAG = "orgpulse_events_since_checkpoint"
TIMEOUT_SECONDS = 4 * 3600.0
WINDOW = "28d"
REBUILT = "rebuilt a tenant from"
"""The worker's log line on a tenant rebuilt after a restart (streams/engine/runtime.py)."""
RESTART_COMMAND = (*WORKER_COMMAND[:-1], "info")
"""A restarted worker logs at INFO, so that its log has the :data:`REBUILT` line."""
LAG_TIMEOUT_SECONDS = 60.0
"""An idle checkpoint may hold the event loop for seconds at this size."""


@dataclass(frozen=True)
class Restart:
    """A restarted worker: seconds from its start to its tables recovered (``/health``
    answering 200), to the first snapshot it served, to the snapshot equal to the one before
    the kill (``None``: not within the timeout), the last snapshot it served, and what its
    log says of the rebuild (checkpoint load and deltas replayed, with their seconds)."""

    recovered: float | None
    first_served: float | None
    equal: float | None
    last: dict[str, Any] | None
    rebuilds: list[str]


def snapshot_or_none(worker: ServiceProcess, path: str) -> dict[str, Any] | None:
    """The snapshot, or None while the worker does not serve it (not up, 404, 503)."""
    try:
        body: dict[str, Any] = worker.get_json(path)
    except (urllib.error.URLError, OSError):
        return None
    return body


def served_again(
    worker: ServiceProcess, path: str, before: dict[str, Any], timeout: float
) -> Restart:
    """Start ``worker`` and poll ``path`` until it serves ``before`` again (and, in a
    thread, ``/health`` until its tables are recovered)."""
    started = worker.start()
    health = Sampler(lambda: 1.0 if worker.healthy() else None, POLL_RESTART_SECONDS)
    health.start()  # in a thread: a health check waiting on a busy worker delays no snapshot
    deadline = started + timeout
    first: float | None = None
    equal: float | None = None
    last: dict[str, Any] | None = None
    try:
        while time.monotonic() < deadline:
            worker.check_alive()
            snapshot = snapshot_or_none(worker, path)
            if snapshot is not None:
                at = time.monotonic() - started
                first = at if first is None else first
                last = snapshot
                if snapshot == before:
                    equal = at
                    break
            time.sleep(POLL_RESTART_SECONDS)
    finally:
        health.stop()
    recovered = health.samples[0][0] - started if health.samples else None
    log = worker.log_path.read_text(errors="replace").splitlines()
    rebuilds = [line[line.index(REBUILT) :].strip() for line in log if REBUILT in line]
    return Restart(recovered, first, equal, last, rebuilds)


def wait_at_rest(worker: ServiceProcess, settings: Settings, timeout: float) -> float:
    """Wait until the worker is at rest: every record of the interactions topic committed
    and ``orgpulse_events_since_checkpoint`` below what makes an idle worker checkpoint (0
    once its idle checkpoint is confirmed); returns the seconds waited."""
    started = time.monotonic()
    idle_least = IDLE_CHECKPOINT_SHARE * settings.checkpoint_events
    while time.monotonic() - started < timeout:
        worker.check_alive()
        replay = (worker.metrics() or {}).get(CHECKPOINT_LAG)
        if (
            replay is not None
            and replay < idle_least
            and uncommitted(settings.bootstrap, settings.app_id, settings.topic_interactions) == 0
        ):
            print(f"at rest: {replay:,.0f} events since the last confirmed checkpoint")
            return time.monotonic() - started
        time.sleep(POLL_BACKFILL_SECONDS)
    raise TimeoutError(f"the worker was not at rest within {timeout:.0f} s")


def differences(before: dict[str, Any], after: dict[str, Any] | None) -> str:
    """The top-level keys (and ``org`` fields) in which ``after`` differs from ``before``."""
    if after is None:
        return "never served"
    keys = [key for key in before if after.get(key) != before[key]]
    org = [f"org.{k}={after['org'].get(k)} (was {v})" for k, v in before["org"].items()]
    return ", ".join(keys) + "; " + ", ".join(org)


def main() -> None:
    """Produce the history, replay it through the worker, kill and restart it; print timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--days", type=float, default=30.0, help="event-time span of the history")
    parser.add_argument(
        "--restart-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for the restarted worker to serve the same snapshot",
    )
    args = parser.parse_args()
    path = f"/api/v1/tenants/{BACKFILL_TENANT}/snapshot?window={WINDOW}"
    with tempfile.TemporaryDirectory() as tmp, local_broker(Path(tmp), BROKER_PORT) as broker:
        settings = bench_settings(broker, Path(tmp), "bench-backfill", WEB_PORT)
        simulator = backfill_simulator(args.events, args.people, args.teams, args.days)
        producing = produce(settings, simulator)
        with ServiceProcess(settings, "worker") as worker:
            run = count_run(worker, args.events, TIMEOUT_SECONDS, POLL_BACKFILL_SECONDS)
            asked_at = time.monotonic()
            before: dict[str, Any] = worker.get_json(path)
            snapshot_at = time.monotonic()
            current, peak = rss_mib(worker.pid)
            lag = (worker.metrics(timeout=LAG_TIMEOUT_SECONDS) or {}).get(CHECKPOINT_LAG)
            worker.kill()
        with ServiceProcess(settings, "restarted", RESTART_COMMAND) as restarted:
            restart = served_again(restarted, path, before, args.restart_timeout)
            rested = wait_at_rest(restarted, settings, args.restart_timeout)
            restarted.kill()
        with ServiceProcess(settings, "restarted-at-rest", RESTART_COMMAND) as again:
            restart_at_rest = served_again(again, path, before, args.restart_timeout)
    print(
        f"org: {args.people:,} people, {args.teams} teams, {args.events:,} events over "
        f"{args.days:g} days, seed 7"
    )
    rate = args.events / producing
    print(
        f"simulate + produce (envelopes, before the worker starts): {producing:.1f} s "
        f"({rate:,.0f} events/s)"
    )
    report_backfill(run.startup, run.done - run.started, snapshot_at - run.started)
    print(
        f"  ({run.end_to_end:,.0f} events/s end to end, {run.steady:,.0f} steady; the API "
        f"answered in {snapshot_at - asked_at:.2f} s)"
    )
    org = before["org"]
    print(
        f"snapshot {WINDOW}: {org['people']:,} people, {org['pairs']:,} pairs, "
        f"{len(before['teams'])} teams reported, {before['feedback']['requests']:,} requests"
    )
    print(f"worker RSS at the end:          {current:8,.0f} MiB (peak {peak:,.0f} MiB)")
    print(
        f"(/metrics polled every {POLL_BACKFILL_SECONDS:.0f} s, one scrape answered in "
        f"{run.scrape_seconds * 1e3:.0f} ms)"
    )
    lag_text = "not exported" if lag is None else f"{lag:,.0f}"
    print(
        f"SIGKILL right after the snapshot was served ({lag_text} events since the last "
        "confirmed checkpoint):"
    )
    report_restart(restart, before, args.restart_timeout)
    print(
        f"SIGKILL of the restarted worker at rest ({rested:.1f} s after it served the snapshot: "
        "every record committed, no checkpoint due):"
    )
    report_restart(restart_at_rest, before, args.restart_timeout)
    figure("backfill_seconds", snapshot_at - run.started, "s")
    figure("backfill_rss_mib", current, "MiB")
    figure("restart_seconds", math.inf if restart.equal is None else restart.equal, "s")
    at_rest = restart_at_rest.equal
    figure("restart_at_rest_seconds", math.inf if at_rest is None else at_rest, "s")


def report_backfill(startup: float, counted: float, served: float) -> None:
    """The backfill's start-up, all-counted and snapshot times (from the worker's start)."""
    print(f"worker start -> first counted:  {startup:8.1f} s")
    print(f"worker start -> all counted:    {counted:8.1f} s")
    print(f"worker start -> {WINDOW} snapshot:  {served:8.1f} s (all events counted)")


def report_restart(restart: Restart, before: dict[str, Any], timeout: float) -> None:
    """The restart's timings, or what still differed when it timed out."""
    if restart.recovered is not None:
        print(f"SIGKILL, restart -> tables recovered (/health): {restart.recovered:6.1f} s")
    if restart.first_served is not None:
        print(f"SIGKILL, restart -> first {WINDOW} snapshot served: {restart.first_served:6.1f} s")
    for rebuild in restart.rebuilds:
        print(f"  worker log: {rebuild}")
    if restart.equal is not None:
        print(f"SIGKILL, restart -> the same {WINDOW} snapshot:    {restart.equal:6.1f} s")
    else:
        print(
            f"SIGKILL, restart: the same {WINDOW} snapshot NOT served within {timeout:.0f} s; "
            f"it differed in {differences(before, restart.last)}"
        )


if __name__ == "__main__":
    main()
