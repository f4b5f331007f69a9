"""Backfill: time to replay a large history through the worker to a final snapshot.

Produces ``--events`` (default 1,000,000) events of a simulated 10,000-person, 200-team
organization (seed 7) spread over ``--days`` (default 30) of event time, so the 28-day window
expires buckets during the replay. Then starts the worker and polls ``/metrics`` until every
event is counted, and fetches the 28d snapshot from the snapshot API. Reports the time from
worker start to the snapshot, the steady rate, start-up, and the worker's memory.

    .venv/bin/python benchmarks/bench_backfill.py [--events 1000000] [--people 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import (
    ServiceProcess,
    bench_settings,
    count_run,
    local_broker,
    produce,
    rss_mib,
)

from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.timeutil import parse_time

BROKER_PORT, WEB_PORT = 29094, 26068
POLL_BACKFILL_SECONDS = 5.0
"""A 200-team org's /metrics has over 10,000 series: one scrape takes the worker
hundreds of milliseconds, so a Prometheus-like interval keeps the measurement honest."""
TIMEOUT_SECONDS = 4 * 3600.0
WINDOW = "28d"


def main() -> None:
    """Produce the history, replay it through the worker and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--days", type=float, default=30.0, help="event-time span of the history")
    args = parser.parse_args()
    spec = OrgSpec(
        seed=7,
        tenant="acme",
        people=args.people,
        teams=args.teams,
        siloed_teams=max(1, args.teams // 20),
        events_per_hour=args.events / (args.days * 24),
    )
    with tempfile.TemporaryDirectory() as tmp, local_broker(Path(tmp), BROKER_PORT) as broker:
        settings = bench_settings(broker, Path(tmp), "bench-backfill", WEB_PORT)
        simulator = OrgSimulator(spec, args.events, parse_time("2026-06-01T00:00:00Z"))
        producing = produce(settings, simulator)
        with ServiceProcess(settings, "worker") as worker:
            run = count_run(worker, args.events, TIMEOUT_SECONDS, POLL_BACKFILL_SECONDS)
            asked_at = time.monotonic()
            snapshot = worker.get_json(f"/api/v1/tenants/{spec.tenant}/snapshot?window={WINDOW}")
            snapshot_at = time.monotonic()
            current, peak = rss_mib(worker.pid)
    counted = run.done - run.started
    org = snapshot["org"]
    print(
        f"org: {args.people:,} people, {args.teams} teams, {args.events:,} events over "
        f"{args.days:g} days, seed 7"
    )
    rate = args.events / producing
    print(f"simulate + produce:             {producing:8.1f} s ({rate:,.0f} events/s)")
    print(f"worker start -> first counted:  {run.startup:8.1f} s")
    print(
        f"worker start -> all counted:    {counted:8.1f} s ({run.end_to_end:,.0f} events/s end to "
        f"end, {run.steady:,.0f} steady)"
    )
    print(
        f"worker start -> {WINDOW} snapshot:  {snapshot_at - run.started:8.1f} s (the API "
        f"answered in {snapshot_at - asked_at:.2f} s)"
    )
    print(
        f"snapshot {WINDOW}: {org['people']:,} people, {org['pairs']:,} pairs, "
        f"{len(snapshot['teams'])} teams reported, {snapshot['feedback']['requests']:,} requests"
    )
    print(f"worker RSS at the end:          {current:8,.0f} MiB (peak {peak:,.0f} MiB)")
    print(
        f"(/metrics polled every {POLL_BACKFILL_SECONDS:.0f} s, one scrape answered in "
        f"{run.scrape_seconds * 1e3:.0f} ms)"
    )


if __name__ == "__main__":
    main()
