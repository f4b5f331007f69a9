"""``orgpulse broker start|stop|status``: the local Kafka broker (no Docker)."""

from __future__ import annotations

import argparse
from typing import Any

from streams.local.cli import add_broker_parser, broker_command
from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``broker`` command."""
    add_broker_parser(subparsers).set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start, stop or report on the local broker."""
    return broker_command(args.broker_action, get_settings())
