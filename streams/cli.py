"""The ``orgpulse`` command line: one entry point, one module per command."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from streams.access import AccessError
from streams.connectors.pseudonym import PseudonymKeyError

COMMANDS = (
    "demo",
    "worker",
    "broker",
    "simulate",
    "topics",
    "import_",
    "analyze",
    "snapshot",
    "dlq",
    "dashboards",
    "tokens",
    "webhooks",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(prog="orgpulse", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"streams.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command named on the command line and exit with its status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        status = args.func(args)
    except (PseudonymKeyError, AccessError) as error:
        print(f"orgpulse {args.command}: {error}", file=sys.stderr)
        status = 2
    sys.exit(status)
