"""Freshness: how long a produced event takes to be counted at a steady input rate.

Starts the worker on a local broker and waits until it is healthy, then hands a simulated
2,000-person organization's events (seed 7) to the producer at a steady rate (default 10,000
events/s for 60 s) in ``orgpulse.InteractionBatch`` envelopes, as the SDK emitter sends them:
an envelope is sent when it is full (``envelope_max_events`` / ``envelope_max_bytes``) or
``envelope_linger_seconds`` after its first event. The events are pseudonymized, validated
and packed up front with the emitter's own ``RecordBuilder`` and ``Packer`` (into the exact
bytes it would send), so that producing costs the machine almost nothing while the worker
is measured: a Python SDK producer holds only about 13,000 events/s on one of the two shared
cores here, and would take that core from the worker. Event time starts at the wall clock
when the events are built (so ``occurred_at`` trails it by the build time). An event is
produced at the time it is handed over (``index / rate`` after the start), so the latency
includes its wait in the open envelope and any delay of the sender.

An event is processed when the worker has applied it and counted it in
``orgpulse_events_processed_total``; right after, in the same batch, the worker writes the
batch's delta to its changelog topic ``<app_id>-deltas-changelog``, and the record's
create time marks the moment the batch became visible. Reading those records (one per batch,
with its events) gives the exact time each N-th event was processed without loading the
worker: a ``/metrics`` scrape costs a loaded worker hundreds of milliseconds of its event
loop, so ``/metrics`` is scraped only as often as the shipped Prometheus does (every 15 s),
and once when production stops, to check the lag.

Reports the achieved produce rate, p50/p99/max latency (an event the worker had not counted
when the drain timed out counts as infinitely late), the rate the worker sustained, the lag
when production stopped and how long it took to drain; says plainly if the worker did not
keep up.

    .venv/bin/python benchmarks/bench_freshness.py [--rate 10000] [--seconds 60] [--every 100]
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import (
    Sampler,
    ServiceProcess,
    bench_settings,
    figure,
    local_broker,
)
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    Message,
    Producer,
    TopicPartition,
)

from streams.analytics.ranks import median, nearest_rank
from streams.connectors.builder import RecordBuilder
from streams.connectors.emitter import Emitter, producer_config
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.codec import envelope_codec, interaction_codec
from streams.kafka.envelopes import Envelope, Packer
from streams.settings import Settings
from streams.timeutil import now_ms

BROKER_PORT, WEB_PORT = 29096, 26069
DRAIN_SECONDS = 120.0
SCRAPE_SECONDS = 15.0
"""The scrape interval of prometheus/prometheus.yml."""


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

    def wait_for(self, events: int, timeout: float, alive: Callable[[], None]) -> None:
        """Wait (at most ``timeout`` s) until the deltas read hold ``events`` events;
        ``alive`` raises if the worker died."""
        deadline = time.monotonic() + timeout
        while sum(n for _, n in self.deltas) < events and time.monotonic() < deadline:
            alive()
            time.sleep(0.1)

    def processed_curve(self) -> tuple[list[float], list[int]]:
        """Times and cumulative event counts of the deltas, in time order."""
        times, counts, total = [], [], 0
        for at, events in sorted(self.deltas):
            total += events
            times.append(at)
            counts.append(total)
        return times, counts


@dataclass(frozen=True)
class Send:
    """One envelope to send ``at`` seconds after the start of production."""

    at: float
    tenant: str
    value: bytes


def schedule(settings: Settings, simulator: OrgSimulator, rate: float) -> list[Send]:
    """The envelopes the SDK emitter sends for the simulator's events handed over one every
    ``1 / rate`` s: closed when full, or ``envelope_linger_seconds`` after their first event."""
    builder = RecordBuilder(settings)
    packer = Packer.from_settings(settings, interaction_codec(settings), envelope_codec(settings))
    linger = settings.envelope_linger_seconds

    def send(envelope: Envelope, at: float) -> Send:
        return Send(at, envelope.tenant, packer.encode(envelope))

    sends: list[Send] = []
    for index, raw in enumerate(simulator.simulation.events(simulator.count)):
        due = index / rate
        sends += [send(e, e.opened + linger) for e in packer.drain(due - linger)]
        closed = packer.add(builder.interaction(raw), due)
        if closed is not None:
            sends.append(send(closed, due))
    sends += [send(e, e.opened + linger) for e in packer.drain()]
    return sends


class Sender:
    """Produces scheduled envelopes with the emitter's producer configuration."""

    def __init__(self, settings: Settings) -> None:
        self.topic = settings.topic_interactions
        self.producer = Producer(producer_config(settings))
        self.failed = 0
        self.behind = 0.0
        """The most any envelope was sent after its time, seconds."""

    def run(self, sends: list[Send], started: float) -> float:
        """Send each envelope at ``started`` (``time.time()``) plus its time; returns when the
        last one was handed to the producer, then waits for the deliveries."""
        for send in sends:
            delay = started + send.at - time.time()
            if delay > 0:
                time.sleep(delay)
            self.behind = max(self.behind, -delay)
            self.producer.produce(
                self.topic, send.value, send.tenant.encode(), on_delivery=self._delivered
            )
            self.producer.poll(0)
        done = time.time()
        self.producer.flush(60)
        if self.failed:
            raise RuntimeError(f"{self.failed} envelopes were not delivered")
        return done

    def _delivered(self, error: KafkaError | None, message: Message) -> None:
        self.failed += error is not None


def produce_directory(settings: Settings, simulator: OrgSimulator) -> None:
    """The simulated directory, through the SDK emitter, delivered before any event."""
    with Emitter(settings) as emitter:
        for person in simulator.directory():
            emitter.emit(person)


@dataclass(frozen=True)
class Production:
    """When production started and ended (``time.time()``), every N-th event's hand-over
    time, and how far the sender fell behind its schedule."""

    first: float
    last: float
    marks: list[float]
    behind: float


def main() -> None:
    """Run the worker, produce at a steady rate, and print latency and lag."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=10_000.0, help="events/s to produce")
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
        simulator = OrgSimulator(spec, total, now_ms())
        sends = schedule(settings, simulator, args.rate)
        produce_directory(settings, simulator)
        with ServiceProcess(settings, "worker") as worker:
            worker.start()
            worker.wait_healthy()
            watcher = ChangelogWatcher(settings)
            watcher.start()
            counter = Sampler(worker.processed, SCRAPE_SECONDS)
            counter.start()
            sender = Sender(settings)
            first = time.time() + 0.5
            last = sender.run(sends, first)
            lag_metrics = total - (worker.processed() or 0.0)
            watcher.wait_for(total, DRAIN_SECONDS, worker.check_alive)
            watcher.stop()
            counter.stop()
    marks = [first + (k * args.every - 1) / args.rate for k in range(1, total // args.every + 1)]
    production = Production(first, last, marks, sender.behind)
    print(
        f"{args.people} people, {args.teams} teams, seed 7; target {args.rate:,.0f} events/s "
        f"for {args.seconds:.0f} s = {total:,} events in {len(sends):,} envelopes; event time "
        "starts at the wall clock when they are built"
    )
    report(args, total, production, lag_metrics, watcher, counter)


def report(
    args: argparse.Namespace,
    total: int,
    production: Production,
    lag_metrics: float,
    watcher: ChangelogWatcher,
    counter: Sampler,
) -> None:
    """Print latency percentiles, rates and the verdict."""
    times, counts = watcher.processed_curve()
    timed: list[tuple[float, float]] = []
    for k, produced in enumerate(production.marks, start=1):
        index = bisect.bisect_left(counts, k * args.every)
        timed.append((produced, times[index] - produced if index < len(times) else math.inf))
    latencies = sorted(latency for _, latency in timed)
    produced_at = production.last
    producing = produced_at - production.first

    def processed_by(at: float) -> int:
        done = bisect.bisect_right(times, at)
        return counts[done - 1] if done else 0

    middle = production.first + producing / 2
    later = sorted(latency for produced, latency in timed if produced >= middle)
    second_half = (processed_by(produced_at) - processed_by(middle)) / (producing / 2)
    lag = total - processed_by(produced_at)
    finished = counts[-1] if counts else 0
    print(
        f"achieved produce rate:       {total / producing:10,.0f} events/s (the sender was at "
        f"most {production.behind * 1e3:,.0f} ms behind its schedule)"
    )
    counted = sum(1 for latency in latencies if latency < math.inf)
    p50, p99 = nearest_rank(latencies, 1, 2) or 0.0, nearest_rank(latencies, 99, 100) or 0.0
    print(
        f"produced -> counted:         p50 {p50 * 1e3:,.0f} ms, "
        f"p99 {p99 * 1e3:,.0f} ms, max {latencies[-1] * 1e3:,.0f} ms "
        f"({counted:,} of {len(latencies):,} timed events counted)"
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
        f"(/metrics scraped every {SCRAPE_SECONDS:.0f} s, one scrape answered in "
        f"{counter.mean_probe_seconds * 1e3:.0f} ms)"
    )
    figure(f"freshness_p99_{args.rate:.0f}", p99, "s")


if __name__ == "__main__":
    main()
