"""Worker throughput and memory on a local broker, against plain ceilings and a naive agent.

Produces a simulated 2,000-person organization's events (seed 7) twice to fresh topics: in
``orgpulse.InteractionBatch`` envelopes (what the SDK emitter, importers, HTTP ingest and the
simulator write: the production path) and as single-object records (the framing
other-language clients write, and the issue's original definition of the ceiling). Then
measures one after the other, in the same run:

- plain ceiling, singles: a confluent-kafka batch consumer decoding every single-object
  record with fastavro (the practical Python ceiling for reading the topic);
- plain ceiling, envelopes: the same consumer on the envelopes, decoding every event of each
  envelope (the ceiling of the path the worker is measured on);
- Faust ceiling: ``naive_agent.py --decode-only`` on the envelopes, a Faust agent taking
  batches as the worker does and only checking and counting events;
- the orgpulse worker on the envelopes (decode, validate, dedup, windows, deltas, timers),
  started as a process and polled on ``/metrics`` until every event is counted;
- naive: ``naive_agent.py`` on the single events, the per-event peer baseline (a record is
  one event for it by design; it does not read envelopes).

Reports events/s end to end (process start to all counted) and steady (first counted event
to all counted, start-up excluded), the ratios of the issue's table, and RSS.

    .venv/bin/python benchmarks/bench_worker.py [--events 200000] [--naive-events N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from common import (
    POLL_SECONDS,
    REPO,
    CountRun,
    ServiceProcess,
    bench_settings,
    count_run,
    figure,
    local_broker,
    produce,
    rss_mib,
)
from confluent_kafka import Consumer

from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.codec import envelope_codec, interaction_codec
from streams.kafka.topics import ensure_topics
from streams.settings import Settings
from streams.timeutil import parse_time

BROKER_PORT, WORKER_PORT, NAIVE_PORT = 29092, 26066, 26067
NAIVE_COMMAND = (sys.executable, str(REPO / "benchmarks" / "naive_agent.py"))
FAUST_COMMAND = (*NAIVE_COMMAND, "--decode-only")
TIMEOUT_SECONDS = 3600.0
SINGLES_TOPIC = "interactions-single"
FAUST_POLL_SECONDS = 0.1
"""The Faust ceiling's ``/metrics`` has a handful of series (cheap to scrape) and it counts
200,000 enveloped events in seconds: polled often, or its steady rate is one sample."""
TODAY_WORKER = 3733.0
"""The worker's steady events/s when issue 13 was filed (2026-12-01)."""

Decoder = Callable[[bytes], int]
"""Decodes one record's value and returns how many events it held."""


def single_decoder(settings: Settings) -> Decoder:
    """Decodes a single-object Interaction (one event)."""
    codec = interaction_codec(settings)

    def decode(value: bytes) -> int:
        codec.decode(value)
        return 1

    return decode


def envelope_decoder(settings: Settings) -> Decoder:
    """Decodes an InteractionBatch envelope with all of its events."""
    codec = envelope_codec(settings)
    return lambda value: len(codec.decode(value)["items"])


def ceiling(settings: Settings, total: int, decode: Decoder) -> CountRun:
    """A plain batch consumer decoding every record of ``settings.topic_interactions``: from
    subscribing (end to end) and from its first record (steady) until ``total`` events."""
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
                seen += decode(message.value() or b"")
    done = time.monotonic()
    consumer.close()
    return CountRun(total, started, first, 0, done)


def baseline(settings: Settings, name: str, command: Sequence[str]) -> ServiceProcess:
    """A baseline process with its own app id (consumer group, changelog), data directory
    and NAIVE_PORT, reading ``settings.topic_interactions``."""
    copy = settings.model_copy(
        update={
            "app_id": f"bench-{name}",
            "web_port": NAIVE_PORT,
            "data_dir": settings.data_dir / name,
        }
    )
    return ServiceProcess(copy, name, command)


def measured(
    service: ServiceProcess, total: int, interval: float = POLL_SECONDS
) -> tuple[CountRun, float, float]:
    """Count ``total`` events with ``service``, polling its ``/metrics`` every ``interval``
    seconds; the run and its RSS (current, peak) at the end."""
    with service:
        run = count_run(service, total, TIMEOUT_SECONDS, interval)
        current, peak = rss_mib(service.pid)
    return run, current, peak


def line(label: str, run: CountRun) -> str:
    """Steady and end-to-end rates of one run."""
    return (
        f"{label:<36}{run.steady:10,.0f} events/s steady, {run.end_to_end:8,.0f} end to end"
        f" (first event counted {run.startup:.1f} s after start)"
    )


def ratio(label: str, value: float, target: str) -> None:
    """One ratio line of the worker's steady rate."""
    print(f"{label:<36}{value:10.2f}  (target {target})")


def main() -> None:
    """Produce, then measure the ceilings, the worker and the naive agent, and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--naive-events",
        type=int,
        help="time the naive agent on the first N events only (default: all); it runs at a "
        "few hundred to 2,000 events/s here, and timing its start favors it if anything",
    )
    args = parser.parse_args()
    naive_total = min(args.naive_events or args.events, args.events)
    spec = OrgSpec(
        seed=7, people=args.people, teams=args.teams, siloed_teams=4, events_per_hour=2000.0
    )
    start_ms = parse_time("2026-06-01T00:00:00Z")
    with tempfile.TemporaryDirectory() as tmp, local_broker(Path(tmp), BROKER_PORT) as broker:
        settings = bench_settings(broker, Path(tmp), "bench-worker", WORKER_PORT)
        singles = settings.model_copy(update={"topic_interactions": SINGLES_TOPIC})
        ensure_topics(singles)
        produced_singles = produce(
            singles, OrgSimulator(spec, args.events, start_ms), envelopes=False
        )
        produced_envelopes = produce(settings, OrgSimulator(spec, args.events, start_ms))
        plain_singles = ceiling(singles, args.events, single_decoder(settings))
        plain_envelopes = ceiling(settings, args.events, envelope_decoder(settings))
        faust = baseline(settings, "faust", FAUST_COMMAND)
        faust_only, _, _ = measured(faust, args.events, FAUST_POLL_SECONDS)
        worker, current, peak = measured(ServiceProcess(settings, "worker"), args.events)
        naive, naive_current, _ = measured(baseline(singles, "naive", NAIVE_COMMAND), naive_total)
    print(f"org: {args.people} people, {args.teams} teams, {args.events:,} events, seed 7")
    print(
        f"envelopes of at most {settings.envelope_max_events} events / "
        f"{settings.envelope_max_bytes // 1024} KiB; the naive agent reads the single events"
        + (f" (timed on the first {naive_total:,} only)" if naive_total < args.events else "")
    )
    for framing, seconds in (("singles", produced_singles), ("envelopes", produced_envelopes)):
        print(f"{f'simulate + produce, {framing}:':<36}{args.events / seconds:10,.0f} events/s")
    print(line("plain ceiling, singles:", plain_singles))
    print(line("plain ceiling, envelopes:", plain_envelopes))
    print(line("Faust ceiling, envelopes:", faust_only))
    print(line("orgpulse worker, envelopes:", worker))
    print(line("naive per-event agent, singles:", naive))
    steady = worker.steady
    ratio("worker / plain ceiling (singles):", steady / plain_singles.steady, ">= 0.20")
    ratio("worker / plain ceiling (envelopes):", steady / plain_envelopes.steady, "none; honest")
    ratio("worker / naive agent:", steady / naive.steady, ">= 10")
    ratio(f"worker / today's {TODAY_WORKER:,.0f}:", steady / TODAY_WORKER, ">= 5")
    ratio("worker / Faust ceiling (envelopes):", steady / faust_only.steady, "none")
    print(f"{'worker RSS after the run:':<36}{current:10,.0f} MiB (peak {peak:,.0f} MiB)")
    print(f"{'naive RSS after the run:':<36}{naive_current:10,.0f} MiB")
    print(
        f"(steady rates; /metrics polled every {POLL_SECONDS:.0f} s, one scrape answered in "
        f"{worker.scrape_seconds * 1e3:.0f} ms (worker) and "
        f"{naive.scrape_seconds * 1e3:.0f} ms (naive))"
    )
    figure("worker_events_per_second", steady, "events/s")
    figure("worker_vs_ceiling_singles", steady / plain_singles.steady, "x")
    figure("worker_vs_ceiling_envelopes", steady / plain_envelopes.steady, "x")
    figure("worker_vs_naive", steady / naive.steady, "x")
    figure("worker_vs_today", steady / TODAY_WORKER, "x")


if __name__ == "__main__":
    main()
