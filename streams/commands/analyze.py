"""``orgpulse analyze``: the snapshot JSON computed offline from files, no Kafka."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from streams.connectors.csv_files import CsvConnector
from streams.engine.offline import analyze
from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``analyze`` command."""
    parser = subparsers.add_parser("analyze", help="compute snapshots offline from files")
    parser.add_argument("--events", type=Path, required=True, help="events CSV")
    parser.add_argument("--directory", type=Path, help="directory CSV: person,team[,manager]")
    parser.add_argument("--tenant", default="default")
    parser.add_argument("--window", default="7d")
    parser.add_argument("--json", action="store_true", help="print the snapshot JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the tenant's snapshot for the window (JSON, or a short summary)."""
    settings = get_settings()
    connector = CsvConnector(args.events, args.tenant, args.directory)
    result = analyze(connector.records(), settings)
    snapshot = result.runtime.state(args.tenant).snapshot(args.window)
    if args.json:
        print(json.dumps(snapshot, indent=2, sort_keys=True))
    else:
        org = snapshot["org"]
        print(
            f"{args.tenant} {args.window} as of {snapshot['as_of']}: {org['people']} people, "
            f"{org['pairs']} pairs, modularity {org['modularity']}, "
            f"reciprocity {org['reciprocity']}"
        )
        for team, values in sorted(snapshot["teams"].items()):
            print(
                f"  {team}: E-I {values['ei_index']}, partners {values['partner_teams']}, "
                f"siloed {values['siloed']}"
            )
    return 0
