"""Freshness: how long a produced event takes to be processed at a steady input rate.

Starts the worker on a local broker and waits until it is healthy, then produces a simulated
2,000-person organization (seed 7) at a steady rate (default 5,000 events/s for 60 s) with
event time following the wall clock, so ``occurred_at`` is about now. The wall time of every
N-th produced event is recorded.

An event is processed when the worker has applied it and counted it in
``orgpulse_events_processed_total``; right after, in the same batch, the worker writes the
batch's delta to its changelog topic ``<app_id>-deltas-changelog``, and the record's
create time marks the moment the batch became visible. Reading those records (one per batch,
with its events) gives the exact time each N-th event was processed without loading the
worker: a ``/metrics`` scrape costs it tens of milliseconds, so ``/metrics`` is polled only
once a second, to follow the counter and check the final lag.

Reports the achieved produce rate, p50/p99/max latency, the rate the worker sustained, the
lag when production stopped and how long it took to drain; says plainly if the worker did
not keep up.

    .venv/bin/python benchmarks/bench_freshness.py [--rate 5000] [--seconds 60] [--every 100]
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import tempfile
import threading
import time
from pathlib import Path

from common import (
    POLL_SECONDS,
    Sampler,
    ServiceProcess,
    bench_settings,
    local_broker,
)
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from streams.analytics.ranks import median, nearest_rank
from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import Settings
from streams.timeutil import now_ms

BROKER_PORT, WEB_PORT = 29096, 26069
DRAIN_SECONDS = 120.0


class ChangelogWatcher(threading.Thread):
    """Reads the worker's delta changelog and keeps, per new delta, its create time (epoch
    seconds) and its number of events; deltas rewritten or deleted by expiry are ignored."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.topic = f"{settings.app_id}-deltas-changelog"
        self.consumer = Consumer(
            {
                "bootstrap.servers": settings.bootstrap,
                "group.id": f"{settings.app_id}-freshness",
                "enable.auto.commit": False,
            }
        )
        self.deltas: list[tuple[float, int]] = []
        self._keys: set[bytes] = set()
        self._stopped = threading.Event()

    def run(self) -> None:
        """Consume every partition from the beginning until :meth:`stop`."""
        while not self._stopped.is_set():
            topic = self.consumer.list_topics(self.topic, timeout=10).topics[self.topic]
            if topic.error is None and topic.partitions:
                break
            time.sleep(0.2)
        self.consumer.assign(
            [TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in topic.partitions]
        )
        while not self._stopped.is_set():
            for message in self.consumer.consume(500, timeout=0.1):
                key, value = message.key() or b"", message.value()
                if message.error() is not None or value is None or key in self._keys:
                    continue
                self._keys.add(key)
                events = sum(1 for op in json.loads(value)["ops"] if op[0] == "e")
                self.deltas.append((message.timestamp()[1] / 1000, events))
        self.consumer.close()

    def stop(self) -> None:
        """Stop reading and wait for the thread."""
        self._stopped.set()
        self.join()

    def wait_for(self, events: int, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the deltas read hold ``events`` events."""
        deadline = time.monotonic() + timeout
        while sum(n for _, n in self.deltas) < events and time.monotonic() < deadline:
            time.sleep(0.1)

    def processed_curve(self) -> tuple[list[float], list[int]]:
        """Times and cumulative event counts of the deltas, in time order."""
        times, counts, total = [], [], 0
        for at, events in sorted(self.deltas):
            total += events
            times.append(at)
            counts.append(total)
        return times, counts


class ProduceLog:
    """Progress callback of the producer: wall time of the first event and of every N-th."""

    def __init__(self, directory: int, every: int) -> None:
        self.directory = directory
        self.every = every
        self.first = 0.0
        self.marks: list[float] = []

    def __call__(self, read: int) -> None:
        """Called before the ``read``-th record (directory entries first) is produced."""
        count = read - self.directory
        if count == 1:
            self.first = time.time()
        if count > 0 and count % self.every == 0:
            self.marks.append(time.time())


def main() -> None:
    """Run the worker, produce at a steady rate, and print latency and lag."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=5000.0, help="events/s to produce")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to produce")
    parser.add_argument("--every", type=int, default=100, help="time every N-th event")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=60)
    args = parser.parse_args()
    total = int(args.rate * args.seconds)
    spec = OrgSpec(
        seed=7,
        people=args.people,
        teams=args.teams,
        siloed_teams=4,
        events_per_hour=args.rate * 3600,
    )
    with tempfile.TemporaryDirectory() as tmp, local_broker(Path(tmp), BROKER_PORT) as broker:
        settings = bench_settings(broker, Path(tmp), "bench-freshness", WEB_PORT)
        with ServiceProcess(settings, "worker") as worker:
            worker.start()
            worker.wait_healthy()
            watcher = ChangelogWatcher(settings)
            watcher.start()
            counter = Sampler(worker.processed, POLL_SECONDS)
            counter.start()
            simulator = OrgSimulator(spec, total, now_ms(), rate=args.rate)
            log = ProduceLog(sum(1 for _ in simulator.directory()), args.every)
            skipped = sum(simulator.run(Emitter(settings), log).skipped.values())
            if skipped:
                raise RuntimeError(f"{skipped} simulated events were invalid and not produced")
            produced_at = time.time()
            lag_metrics = total - (worker.processed() or 0.0)
            with contextlib.suppress(TimeoutError):
                counter.wait_for(total, DRAIN_SECONDS, worker.check_alive)
            watcher.wait_for(total, timeout=10.0)
            watcher.stop()
            counter.stop()
    report(args, total, log, produced_at, lag_metrics, watcher, counter)


def report(
    args: argparse.Namespace,
    total: int,
    log: ProduceLog,
    produced_at: float,
    lag_metrics: float,
    watcher: ChangelogWatcher,
    counter: Sampler,
) -> None:
    """Print latency percentiles, rates and the verdict."""
    times, counts = watcher.processed_curve()
    timed: list[tuple[float, float]] = []
    for k, produced in enumerate(log.marks, start=1):
        index = bisect.bisect_left(counts, k * args.every)
        if index < len(times):
            timed.append((produced, times[index] - produced))
    latencies = sorted(latency for _, latency in timed)
    producing = produced_at - log.first

    def processed_by(at: float) -> int:
        done = bisect.bisect_right(times, at)
        return counts[done - 1] if done else 0

    middle = log.first + producing / 2
    later = sorted(latency for produced, latency in timed if produced >= middle)
    second_half = (processed_by(produced_at) - processed_by(middle)) / (producing / 2)
    lag = total - processed_by(produced_at)
    finished = counts[-1] if counts else 0
    print(
        f"{args.people} people, {args.teams} teams, seed 7; target {args.rate:,.0f} events/s "
        f"for {args.seconds:.0f} s = {total:,} events, event time = wall clock"
    )
    print(f"achieved produce rate:       {total / producing:10,.0f} events/s")
    if latencies:
        p50, p99 = nearest_rank(latencies, 1, 2) or 0.0, nearest_rank(latencies, 99, 100) or 0.0
        print(
            f"produced -> processed:        p50 {p50 * 1e3:,.0f} ms, "
            f"p99 {p99 * 1e3:,.0f} ms, max {latencies[-1] * 1e3:,.0f} ms "
            f"({len(latencies):,} of {len(log.marks):,} timed events processed)"
        )
    if later:
        print(f"  events of the 2nd half:       p50 {median(later) * 1e3:,.0f} ms")
    print(f"processed, 2nd half of run:  {second_half:10,.0f} events/s")
    print(
        f"lag when production stopped: {lag:10,} events ({lag / args.rate:.1f} s of input; "
        f"/metrics said {lag_metrics:,.0f})"
    )
    if finished >= total:
        print(f"drained:                     {times[-1] - produced_at:10.1f} s after production")
    else:
        print(f"NOT drained: {finished:,} of {total:,} processed {DRAIN_SECONDS:.0f} s later")
    rate = total / producing
    kept_up = finished >= total and second_half >= 0.95 * rate
    print(
        f"verdict: the worker {'kept up with' if kept_up else 'did NOT keep up with'} "
        f"{rate:,.0f} events/s" + ("" if kept_up else f"; it sustained {second_half:,.0f} events/s")
    )
    print(
        f"(/metrics polled every {POLL_SECONDS:.0f} s, one scrape answered in "
        f"{counter.mean_probe_seconds * 1e3:.0f} ms)"
    )


if __name__ == "__main__":
    main()
