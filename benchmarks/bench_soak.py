"""Memory soak: the worker's RSS over a long run at a steady rate, past the largest window.

Starts the worker on a local broker, then produces a simulated 2,000-person organization
(seed 7) at a steady rate (default 1,000 events/s) for ``--minutes`` (default 10), in
envelopes through the SDK emitter (as producers write them). Event time
is compressed so that ``--windows-passed`` (default 5) times the largest window (28 days)
go by during the run, ending a day before now: over 10 minutes that is 14 simulated days per real
minute, so buckets enter and expire, and deltas are deleted, all the time. The worker's RSS is
sampled every 10 s. Reports the first, middle and last RSS, the least-squares slope over the
second half of the run (MiB/min), whether that is flat (the fitted growth over the second
half under 5 % of its mean RSS), and whether the worker kept up.

Not part of ``make bench`` (it takes the whole duration):

    make soak [SOAK_ARGS="--minutes 2"]
    .venv/bin/python benchmarks/bench_soak.py [--minutes 10] [--rate 1000] [--windows-passed 5]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from common import (
    Sampler,
    ServiceProcess,
    bench_settings,
    figure,
    fit_line,
    local_broker,
    rss_mib,
)

from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import Settings, parse_duration
from streams.timeutil import now_ms

BROKER_PORT, WEB_PORT = 29098, 26070
SAMPLE_SECONDS = 10.0
DRAIN_SECONDS = 300.0
FLAT_SHARE = 0.05
MARGIN_MS = 86_400_000
"""Event time ends a day before the wall clock: the simulated span varies by a few hours."""


def main() -> None:
    """Run the worker under a steady load and print its memory over time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="events/s to produce")
    parser.add_argument(
        "--windows-passed", type=float, default=5.0, help="event time covered, in largest windows"
    )
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=60)
    args = parser.parse_args()
    seconds = args.minutes * 60
    total = int(args.rate * seconds)
    largest = max(parse_duration(w) for w in Settings().windows)
    span_ms = round(args.windows_passed * largest * 1000)
    spec = OrgSpec(
        seed=7,
        people=args.people,
        teams=args.teams,
        siloed_teams=4,
        events_per_hour=total / (span_ms / 3_600_000),
    )
    with tempfile.TemporaryDirectory() as tmp, local_broker(Path(tmp), BROKER_PORT) as broker:
        settings = bench_settings(broker, Path(tmp), "bench-soak", WEB_PORT)
        with ServiceProcess(settings, "worker") as worker:
            worker.start()
            worker.wait_healthy()
            rss = Sampler(lambda: rss_mib(worker.pid)[0], SAMPLE_SECONDS)
            counter = Sampler(worker.processed, SAMPLE_SECONDS)
            started = time.monotonic()
            rss.start()
            counter.start()
            simulator = OrgSimulator(spec, total, now_ms() - span_ms - MARGIN_MS, rate=args.rate)
            skipped = sum(simulator.run(Emitter(settings)).skipped.values())
            producing = time.monotonic() - started
            lag = total - skipped - (worker.processed() or 0.0)
            with contextlib.suppress(TimeoutError):
                counter.wait_for(total - skipped, DRAIN_SECONDS, worker.check_alive)
            rss.stop()
            counter.stop()
            final, peak = rss_mib(worker.pid)
    print(
        f"{args.people} people, {args.teams} teams, seed 7; {total:,} events at "
        f"{args.rate:,.0f} events/s for {args.minutes:g} min ({skipped:,} skipped); event "
        f"time covers {span_ms / 86_400_000:.0f} days = {args.windows_passed:g} x the "
        f"{largest // 86400} d window"
    )
    print(
        f"achieved produce rate {total / producing:,.0f} events/s; lag when production stopped "
        f"{lag:,.0f} events; processed at the end {counter.latest or 0:,.0f}"
    )
    report_rss(rss.samples, started, final, peak)


def report_rss(
    samples: list[tuple[float, float]], started: float, final: float, peak: float
) -> None:
    """First/middle/last RSS, the second-half slope and the verdict."""
    points = [((at - started) / 60, mib) for at, mib in samples]
    first, middle, last = points[0], points[len(points) // 2], points[-1]
    for label, (minute, mib) in (("first", first), ("middle", middle), ("last", last)):
        print(f"RSS {label:<7} {mib:8,.0f} MiB at {minute:5.1f} min")
    print(f"RSS end     {final:8,.0f} MiB (peak {peak:,.0f} MiB), {len(points)} samples")
    by_minute = {int(minute): mib for minute, mib in points}
    print("RSS by minute (MiB): " + " ".join(f"{mib:,.0f}" for _, mib in sorted(by_minute.items())))
    half = [p for p in points if p[0] >= last[0] / 2]
    if len(half) < 3:
        print("too few samples in the second half for a slope")
        return
    slope, _ = fit_line([m for m, _ in half], [mib for _, mib in half])
    mean = sum(mib for _, mib in half) / len(half)
    growth = slope * (half[-1][0] - half[0][0])
    flat = abs(growth) < FLAT_SHARE * mean
    print(
        f"slope over the second half: {slope:+.2f} MiB/min ({growth:+,.0f} MiB over "
        f"{half[-1][0] - half[0][0]:.1f} min, {growth / mean:+.1%} of its mean RSS): "
        f"{'flat' if flat else 'NOT flat'}"
    )
    figure("soak_rss_mib", last[1], "MiB")
    figure("soak_growth_share", growth / mean, "ratio")


if __name__ == "__main__":
    main()
