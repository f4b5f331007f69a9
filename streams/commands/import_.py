"""``orgpulse import <format> PATH…``: feed files from a tool's export into Kafka."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID

from streams.connectors.base import Connector
from streams.connectors.csv_files import CsvConnector
from streams.connectors.emitter import Emitter
from streams.connectors.enron import EnronConnector
from streams.connectors.github import GitHubConnector
from streams.connectors.json_records import JsonlConnector
from streams.connectors.mbox import MboxConnector
from streams.connectors.rlists import RListsConnector
from streams.connectors.slack import SlackConnector
from streams.connectors.stackexchange import StackExchangeConnector
from streams.settings import get_settings

DATA_SETS: dict[str, Callable[[Path, str], Connector]] = {
    "enron": EnronConnector,
    "rlists": RListsConnector,
    "stackexchange": StackExchangeConnector,
}
EXPORTS: dict[str, Callable[[list[Path], str], Connector]] = {
    "slack": SlackConnector,
    "github": GitHubConnector,
    "mbox": MboxConnector,
}
FORMATS = ("csv", "jsonl", *DATA_SETS, *EXPORTS)


def register(subparsers: Any) -> None:
    """Add the ``import`` command."""
    parser = subparsers.add_parser("import", help="import interaction files into Kafka")
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument(
        "paths", nargs="+", type=Path, help="events files (csv), or a data set's folder"
    )
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--directory", type=Path, help="directory CSV: person,team[,manager]")
    parser.set_defaults(func=run)


def connectors(args: argparse.Namespace) -> list[Connector]:
    """One connector per path; a directory CSV goes with the first events file."""
    if args.format == "jsonl":
        return [JsonlConnector(args.paths, args.tenant, args.directory)]
    if args.format in EXPORTS:
        return [EXPORTS[args.format](args.paths, args.tenant)]
    if args.format in DATA_SETS:
        return [DATA_SETS[args.format](path, args.tenant) for path in args.paths]
    return [
        CsvConnector(path, args.tenant, args.directory if index == 0 else None)
        for index, path in enumerate(args.paths)
    ]


def _advance(progress: Progress, task: TaskID, count: int) -> None:
    if count % 1000 == 0:
        progress.update(task, completed=count)


def run(args: argparse.Namespace) -> int:
    """Produce every file's records, with a progress bar and a summary."""
    console = Console(stderr=True)
    settings = get_settings()
    for connector in connectors(args):
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"importing {connector.name}", total=None)
            summary = connector.run(Emitter(settings), partial(_advance, progress, task))
        skipped = ", ".join(f"{r}: {n}" for r, n in summary.skipped.most_common()) or "none"
        console.print(
            f"read {summary.read}, produced {summary.produced}, "
            f"delivered {summary.delivery.delivered}, skipped {skipped}"
        )
    return 0
