"""``orgpulse dlq show|replay``: inspect and re-submit dead-lettered records."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from streams.kafka.dlq import dead_letters, replay, summarize
from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``dlq`` command."""
    parser = subparsers.add_parser("dlq", help="inspect or replay the dead-letter topic")
    parser.add_argument("action", choices=["show", "replay"])
    parser.add_argument(
        "--reason", action="append", help="only records with this reason (repeatable; replay)"
    )
    parser.add_argument("--samples", type=int, default=3, help="samples per reason (show)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Show the reasons histogram with samples, or replay."""
    console = Console()
    settings = get_settings()
    if args.action == "replay":
        count = replay(settings, set(args.reason) if args.reason else None)
        console.print(f"replayed {count} dead letters to {settings.topic_interactions}")
        return 0
    summary = summarize(dead_letters(settings), args.samples)
    console.print(f"{summary.total} records in {settings.topic_dlq}")
    table = Table()
    table.add_column("reason", no_wrap=True)
    for column in ("count", "stage", "where", "from #index", "detail", "first bytes"):
        table.add_column(column)
    for reason, count in summary.reasons.most_common():
        for index, letter in enumerate(summary.samples[reason]):
            table.add_row(
                reason if index == 0 else "",
                str(count) if index == 0 else "",
                letter.stage,
                letter.position,
                letter.origin.rpartition("/")[2],  # the source topic is the interactions one
                letter.detail[:60],
                (letter.value or b"")[:16].hex(" "),
            )
    console.print(table)
    return 0
