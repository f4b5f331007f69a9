"""``orgpulse topics create``: create the orgpulse topics on the configured broker."""

from __future__ import annotations

import argparse
from typing import Any

from streams.kafka.topics import ensure_topics
from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``topics`` command."""
    parser = subparsers.add_parser("topics", help="create the orgpulse topics")
    parser.add_argument("action", choices=["create"])
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Create the missing topics and say which."""
    created = ensure_topics(get_settings())
    print("created: " + (", ".join(created) if created else "nothing (all exist)"))
    return 0
