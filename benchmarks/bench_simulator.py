"""Throughput of the org simulator, alone and followed by the SDK's build and encode steps.

    python benchmarks/bench_simulator.py [--events 200000] [--seed 7]

Prints events/s for generating the events (directory excluded), and for generating them,
pseudonymizing and validating them with ``RecordBuilder`` and Avro-encoding them with the
single-object ``interaction_codec``. No Kafka is involved.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from streams.connectors.builder import RecordBuilder
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.codec import interaction_codec
from streams.settings import Settings

START_MS = 1_717_200_000_000  # 2024-06-01T00:00:00Z


def simulation(seed: int) -> OrgSimulator:
    """A fresh simulator of the default organization with ``seed`` (built outside the timing)."""
    return OrgSimulator(OrgSpec(seed=seed), 0, START_MS)


def generate_only(events: int, seed: int) -> float:
    """Seconds to generate ``events`` raw interactions."""
    events_of = simulation(seed).simulation.events
    started = time.perf_counter()
    for _ in events_of(events):
        pass
    return time.perf_counter() - started


def generate_build_encode(events: int, seed: int) -> tuple[float, int]:
    """Seconds to generate, build (pseudonymize + validate) and encode; and the bytes written."""
    settings = Settings(schema_registry_url=None)
    builder = RecordBuilder(settings)
    codec = interaction_codec(settings)
    events_of = simulation(seed).simulation.events
    size = 0
    started = time.perf_counter()
    for raw in events_of(events):
        size += len(codec.encode(builder.interaction(raw)))
    return time.perf_counter() - started, size


def report(label: str, events: int, seconds: float) -> None:
    """Print one throughput line."""
    print(f"{label:<44} {events / seconds:>12,.0f} events/s  ({seconds:.2f} s)")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"{args.events:,} simulated events, default OrgSpec, seed {args.seed}")
    report("generate", args.events, generate_only(args.events, args.seed))
    seconds, size = generate_build_encode(args.events, args.seed)
    report("generate + RecordBuilder + codec encode", args.events, seconds)
    print(f"{'mean encoded size':<44} {size / args.events:>12,.1f} bytes")


if __name__ == "__main__":
    main()
