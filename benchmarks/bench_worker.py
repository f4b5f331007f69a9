"""Worker throughput and memory on a local broker, against a plain consumer + decode ceiling.

Produces a simulated 2,000-person organization's events to fresh topics, then measures, in
the same run: a plain confluent-kafka batch consumer decoding every record with the codec
(the practical Python ceiling), and the orgpulse worker (decode, validate, dedup, windows,
deltas), from start until every event is counted. Reports events/s, the ratio, and the
worker's resident memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from confluent_kafka import Consumer

from streams.codec import interaction_codec
from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.demo_view import parse_metrics
from streams.local.broker import LocalBroker
from streams.local.jars import default_libs_dir
from streams.settings import Settings
from streams.timeutil import parse_time
from streams.topics import ensure_topics

REPO = Path(__file__).resolve().parents[1]


def ceiling(settings: Settings, total: int) -> float:
    """Events/s of a plain batch consumer that decodes every record."""
    codec = interaction_codec(settings)
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap,
            "auto.offset.reset": "earliest",
            "group.id": f"ceiling-{uuid.uuid4().hex[:6]}",
        }
    )
    consumer.subscribe([settings.topic_interactions])
    seen, started = 0, time.perf_counter()
    while seen < total:
        for message in consumer.consume(1000, timeout=1.0):
            if message.error() is None:
                codec.decode(message.value() or b"")
                seen += 1
    elapsed = time.perf_counter() - started
    consumer.close()
    return seen / elapsed


def rss_mib(pid: int) -> tuple[float, float]:
    """Current and peak resident set size of a process, MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def worker_run(settings: Settings, total: int) -> tuple[float, float, float]:
    """Events/s of the worker from process start to all counted, and its RSS (current, peak)."""
    log = (settings.data_dir / "bench-worker.log").open("wb")
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "streams", "worker", "--loglevel", "warning"],
        cwd=REPO,
        env={**os.environ, **settings.to_env()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://{settings.web_host}:{settings.web_port}/metrics"
    try:
        while True:
            time.sleep(0.2)
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    metrics = parse_metrics(response.read().decode())
            except OSError:
                continue
            if metrics.get("orgpulse_events_processed_total", 0) >= total:
                break
        elapsed = time.perf_counter() - started
        current, peak = rss_mib(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return total / elapsed, current, peak


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        broker = LocalBroker(data, port=29092, libs_dir=default_libs_dir(REPO / ".orgpulse"))
        broker.start()
        try:
            settings = Settings(
                bootstrap=broker.bootstrap,
                data_dir=data / "orgpulse",
                app_id="bench-worker",
                web_port=26066,
            )
            settings.data_dir.mkdir(parents=True)
            ensure_topics(settings)
            spec = OrgSpec(
                seed=7, people=args.people, teams=args.teams, siloed_teams=4, events_per_hour=2000.0
            )
            simulator = OrgSimulator(spec, args.events, parse_time("2026-06-01T00:00:00Z"))
            started = time.perf_counter()
            simulator.run(Emitter(settings))
            produce = args.events / (time.perf_counter() - started)
            plain = ceiling(settings, args.events)
            rate, current, peak = worker_run(settings, args.events)
        finally:
            broker.stop()
    print(f"org: {args.people} people, {args.teams} teams, {args.events} events")
    print(f"simulate + produce:           {produce:10,.0f} events/s")
    print(f"ceiling (consume + decode):   {plain:10,.0f} events/s")
    print(
        f"orgpulse worker (end to end): {rate:10,.0f} events/s  ({rate / plain:.2f} x ceiling,"
        " including worker start-up)"
    )
    print(f"worker RSS after the run:     {current:10,.0f} MiB (peak {peak:,.0f} MiB)")


if __name__ == "__main__":
    main()
