"""Encode and decode throughput of the Interaction codec on realistic records.

    python benchmarks/bench_codec.py [--count 100000] [--seed 7]

Prints records/s for single-object encoding and for Confluent framing (against
confluent-kafka's in-process ``mock://`` registry, so registry round trips are not measured).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from streams.kafka.codec import Codec, interaction_codec
from streams.model import KINDS, Interaction
from streams.settings import Settings

T = TypeVar("T")

KIND_WEIGHTS = (40, 25, 8, 5, 8, 5, 5, 2, 2)  # message, reply, request, review, comment, ...
SOURCES = ("slack", "teams", "email", "github", "jira", "stackexchange")


def realistic_interactions(count: int, seed: int) -> list[Interaction]:
    """``count`` Interaction records shaped like connector output: 2,000 pseudonymous people,
    mostly 1-3 targets, some threads, replies, channels, artifacts and attributes."""
    rng = random.Random(seed)
    people = [f"p_{rng.getrandbits(64):016x}" for _ in range(2000)]
    start = 1_700_000_000_000
    records: list[Interaction] = []
    for n in range(count):
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        source = rng.choice(SOURCES)
        thread = f"th_{rng.randrange(count // 5 + 1)}" if rng.random() < 0.6 else None
        records.append(
            {
                "event_id": f"{source}:{n:08d}",
                "tenant": "acme",
                "source": source,
                "kind": kind,
                "occurred_at": start + n * 250 + rng.randrange(250),
                "actor": rng.choice(people),
                "targets": rng.sample(people, rng.choice((0, 1, 1, 1, 2, 2, 3, 5))),
                "thread_id": thread,
                "in_reply_to": f"{source}:{rng.randrange(n + 1):08d}" if kind == "reply" else None,
                "channel": f"c_{rng.randrange(300)}" if rng.random() < 0.7 else None,
                "artifacts": [f"a_{rng.getrandbits(48):012x}"] if kind == "share" else [],
                "weight": 1.0 if rng.random() < 0.9 else round(rng.uniform(0.1, 3.0), 2),
                "attributes": {"lang": "en"} if rng.random() < 0.3 else {},
            }
        )
    return records


def throughput(label: str, items: Sequence[T], work: Callable[[T], object]) -> float:
    """Run ``work`` over ``items`` once, print and return items per second."""
    started = time.perf_counter()
    for item in items:
        work(item)
    rate = len(items) / (time.perf_counter() - started)
    print(f"{label:<34} {rate:>12,.0f} records/s")
    return rate


def bench(label: str, codec: Codec[Interaction], records: list[Interaction]) -> None:
    """Encode, then decode, every record with ``codec``."""
    for record in records[:1000]:  # warm-up (and registration)
        codec.decode(codec.encode(record))
    throughput(f"{label} encode", records, codec.encode)
    encoded = [codec.encode(record) for record in records]
    throughput(f"{label} decode", encoded, codec.decode)
    size = sum(map(len, encoded)) / len(encoded)
    print(f"{label + ' mean size':<34} {size:>12,.1f} bytes")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run both framings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    records = realistic_interactions(args.count, args.seed)
    print(f"{args.count:,} Interaction records")
    bench("single-object", interaction_codec(Settings(schema_registry_url=None)), records)
    mock = Settings(schema_registry_url="mock://bench")
    bench("confluent (mock registry)", interaction_codec(mock), records)


if __name__ == "__main__":
    main()
