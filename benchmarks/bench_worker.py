"""Worker throughput and memory on a local broker, against a ceiling and a naive Faust agent.

Produces a simulated 2,000-person organization's events (seed 7) to fresh topics, then
measures one after the other on the same topic, in the same run:

- plain ceiling: a confluent-kafka batch consumer decoding every record with the codec
  (the practical Python ceiling for reading the topic);
- the orgpulse worker (decode, validate, dedup, windows, deltas, timers), started as a
  process and polled on ``/metrics`` until every event is counted;
- naive: ``naive_agent.py``, the same per-event work in a Faust agent without batching;
- Faust ceiling: ``naive_agent.py --decode-only``, a Faust agent taking batches as the worker does
  and only decoding, validating and counting (what Faust's consumer path alone allows).

Reports events/s end to end (process start to all counted) and steady (first counted event
to all counted, start-up excluded), the worker/ceiling, worker/naive and worker/Faust-ceiling
ratios, and RSS.

    .venv/bin/python benchmarks/bench_worker.py [--events 200000] [--naive-events N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from common import (
    POLL_SECONDS,
    REPO,
    CountRun,
    ServiceProcess,
    bench_settings,
    count_run,
    local_broker,
    produce,
    rss_mib,
)
from confluent_kafka import Consumer

from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.codec import interaction_codec
from streams.settings import Settings
from streams.timeutil import parse_time

BROKER_PORT, WORKER_PORT, NAIVE_PORT = 29092, 26066, 26067
NAIVE_COMMAND = (sys.executable, str(REPO / "benchmarks" / "naive_agent.py"))
FAUST_COMMAND = (*NAIVE_COMMAND, "--decode-only")
TIMEOUT_SECONDS = 3600.0


def ceiling(settings: Settings, total: int) -> CountRun:
    """A plain batch consumer decoding every record: from subscribing (end to end) and from
    its first record (steady) until all are decoded."""
    codec = interaction_codec(settings)
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap,
            "auto.offset.reset": "earliest",
            "group.id": f"ceiling-{uuid.uuid4().hex[:6]}",
        }
    )
    started = time.monotonic()
    consumer.subscribe([settings.topic_interactions])
    seen, first = 0, 0.0
    while seen < total:
        messages = consumer.consume(1000, timeout=1.0)
        if messages and not first:
            first = time.monotonic()
        for message in messages:
            if message.error() is None:
                codec.decode(message.value() or b"")
                seen += 1
    done = time.monotonic()
    consumer.close()
    return CountRun(total, started, first, 0, done)


def baseline(settings: Settings, name: str, command: Sequence[str]) -> ServiceProcess:
    """A baseline process with its own app id (consumer group, changelog), data directory
    and NAIVE_PORT."""
    copy = settings.model_copy(
        update={
            "app_id": f"bench-{name}",
            "web_port": NAIVE_PORT,
            "data_dir": settings.data_dir / name,
        }
    )
    return ServiceProcess(copy, name, command)


def measured(service: ServiceProcess, total: int) -> tuple[CountRun, float, float]:
    """Count ``total`` events with ``service``; the run and its RSS (current, peak) at the end."""
    with service:
        run = count_run(service, total, TIMEOUT_SECONDS)
        current, peak = rss_mib(service.pid)
    return run, current, peak


def line(label: str, run: CountRun) -> str:
    """Steady and end-to-end rates of one run."""
    return (
        f"{label:<30}{run.steady:10,.0f} events/s steady, {run.end_to_end:8,.0f} end to end"
        f" (first event counted {run.startup:.1f} s after start)"
    )


def main() -> None:
    """Produce, then measure the ceiling, the worker and the naive agent, and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--naive-events", type=int, help="stop the naive agent after this many (default: all)"
    )
    args = parser.parse_args()
    naive_total = min(args.naive_events or args.events, args.events)
    with tempfile.TemporaryDirectory() as tmp, local_broker(Path(tmp), BROKER_PORT) as broker:
        settings = bench_settings(broker, Path(tmp), "bench-worker", WORKER_PORT)
        spec = OrgSpec(
            seed=7, people=args.people, teams=args.teams, siloed_teams=4, events_per_hour=2000.0
        )
        simulator = OrgSimulator(spec, args.events, parse_time("2026-06-01T00:00:00Z"))
        produce_rate = args.events / produce(settings, simulator)
        plain = ceiling(settings, args.events)
        faust_only, _, _ = measured(baseline(settings, "faust", FAUST_COMMAND), args.events)
        worker, current, peak = measured(ServiceProcess(settings, "worker"), args.events)
        naive, naive_current, _ = measured(baseline(settings, "naive", NAIVE_COMMAND), naive_total)
    print(f"org: {args.people} people, {args.teams} teams, {args.events:,} events, seed 7")
    if naive_total < args.events:
        print(f"(the naive agent is timed on the first {naive_total:,} events only)")
    print(f"simulate + produce:           {produce_rate:10,.0f} events/s")
    print(line("plain ceiling (poll + decode):", plain))
    print(line("Faust ceiling (take + decode):", faust_only))
    print(line("orgpulse worker:", worker))
    print(line("naive per-event agent:", naive))
    print(
        f"worker / plain ceiling:       {worker.steady / plain.steady:10.2f} steady, "
        f"{worker.end_to_end / plain.end_to_end:.2f} end to end  (target >= 0.50)"
    )
    print(
        f"worker / naive:               {worker.steady / naive.steady:10.2f} steady, "
        f"{worker.end_to_end / naive.end_to_end:.2f} end to end  (target >= 5)"
    )
    print(
        f"worker / Faust ceiling:       {worker.steady / faust_only.steady:10.2f} steady, "
        f"{worker.end_to_end / faust_only.end_to_end:.2f} end to end  "
        f"(Faust / plain ceiling {faust_only.steady / plain.steady:.2f} steady)"
    )
    print(f"worker RSS after the run:     {current:10,.0f} MiB (peak {peak:,.0f} MiB)")
    print(f"naive RSS after the run:      {naive_current:10,.0f} MiB")
    print(
        f"/metrics polled every {POLL_SECONDS:.0f} s, one scrape answered in "
        f"{worker.scrape_seconds * 1e3:.0f} ms (worker) and "
        f"{naive.scrape_seconds * 1e3:.0f} ms (naive)"
    )


if __name__ == "__main__":
    main()
