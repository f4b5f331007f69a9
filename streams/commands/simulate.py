"""``orgpulse simulate``: produce a seeded synthetic organization's events to Kafka."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rich.console import Console

from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.settings import get_settings
from streams.timeutil import now_ms, parse_time

HOUR_MS = 3_600_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs the simulator."""
    parser.add_argument("--tenant", default="acme")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--run",
        type=int,
        default=0,
        help="vary the events (and their ids) of the same org; 0: the seed's reproducible run",
    )
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--teams", type=int, default=12)
    parser.add_argument("--siloed-teams", type=int, default=2)
    parser.add_argument("--events", type=int, default=20_000, help="number of interactions")
    parser.add_argument(
        "--events-per-hour",
        type=float,
        default=600.0,
        help="event-time density of the simulated organization",
    )
    parser.add_argument("--rate", type=float, default=0.0, help="events/s (0: as fast as possible)")
    parser.add_argument(
        "--start",
        help="event time of the first event (ISO 8601 or unix "
        "seconds); default: early enough that the last event is about now",
    )


def simulator_from(args: argparse.Namespace) -> OrgSimulator:
    """The simulator the parsed arguments describe."""
    spec = OrgSpec(
        seed=args.seed,
        run=args.run,
        tenant=args.tenant,
        people=args.people,
        teams=args.teams,
        siloed_teams=args.siloed_teams,
        events_per_hour=args.events_per_hour,
    )
    if args.start:
        start = parse_time(args.start)
    else:
        # the span of n exponential gaps is n ± √n mean gaps: 4 √n of margin keeps the last
        # event out of the future for any seed and run
        span_ms = int((args.events + 4 * math.sqrt(args.events)) / args.events_per_hour * HOUR_MS)
        start = (now_ms() - span_ms) // HOUR_MS * HOUR_MS
    return OrgSimulator(spec, args.events, start, args.rate)


def register(subparsers: Any) -> None:
    """Add the ``simulate`` command."""
    parser = subparsers.add_parser("simulate", help="produce a simulated organization's events")
    add_arguments(parser)
    parser.add_argument("--ground-truth", type=Path, help="write the ground truth JSON here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Produce the directory and events, then write the ground truth if asked."""
    console = Console(stderr=True)
    simulator = simulator_from(args)
    emitter = Emitter(get_settings())
    summary = simulator.run(emitter)
    console.print(
        f"produced {summary.produced} records ({summary.read} read, "
        f"{sum(summary.skipped.values())} skipped), delivered {summary.delivery.delivered}"
    )
    if args.ground_truth:
        args.ground_truth.write_text(json.dumps(simulator.ground_truth(), indent=2) + "\n")
    return 0
