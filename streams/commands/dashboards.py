"""``orgpulse dashboards build``: render the Grafana dashboards to JSON files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from streams.dashboards import write_all

DEFAULT_OUT = Path("grafana/dashboards")


def register(subparsers: Any) -> None:
    """Add the ``dashboards`` command."""
    parser = subparsers.add_parser("dashboards", help="build the Grafana dashboards")
    parser.add_argument("action", choices=["build"])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write every dashboard's JSON into ``--out`` and list the files."""
    for path in write_all(args.out):
        print(path)
    return 0
