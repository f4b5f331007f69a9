"""``orgpulse worker``: run the Faust worker configured by the ``ORGPULSE_*`` environment."""

from __future__ import annotations

import argparse
from typing import Any

from streams.settings import get_settings
from streams.topics import ensure_topics


def register(subparsers: Any) -> None:
    """Add the ``worker`` command."""
    parser = subparsers.add_parser("worker", help="run the streaming worker")
    parser.add_argument("--loglevel", default="info")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Create missing topics, then run the worker until it is stopped."""
    from faust import Worker

    from streams.app import app

    ensure_topics(get_settings())
    Worker(app, loglevel=args.loglevel).execute_from_commandline()
    return 0
