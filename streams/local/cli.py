"""``orgpulse broker start|stop|status``: the local Kafka broker from the command line."""

from __future__ import annotations

import argparse

from rich.console import Console

from streams.local.broker import BrokerStatus, LocalBroker
from streams.local.errors import BrokerError
from streams.settings import Settings

ACTIONS = ("start", "stop", "status")
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_NOT_RUNNING = 3  # LSB convention for `status` of a stopped service


def add_broker_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``broker {start,stop,status}``; the chosen action lands in ``args.broker_action``."""
    parser = subparsers.add_parser(
        "broker",
        help="run a local single-node Kafka broker (Java 17+ and Maven, no Docker)",
        description=(
            "A local Kafka 3.9 broker on the port of ORGPULSE_BOOTSTRAP with its files in "
            "ORGPULSE_DATA_DIR/kafka; jars are cached in ORGPULSE_KAFKA_LIBS if set."
        ),
    )
    parser.add_argument("broker_action", choices=ACTIONS, help="what to do with the broker")
    return parser


def broker_command(action: str, settings: Settings) -> int:
    """Run ``action`` (start, stop or status) and print the outcome; returns the exit code.

    0 on success and for a running broker's status, 3 for a stopped broker's status,
    1 on errors (missing Java or Maven, startup failure).
    """
    console = Console()
    broker = LocalBroker.from_settings(settings)
    try:
        if action == "start":
            return _start(broker, console)
        if action == "stop":
            return _stop(broker, console)
        if action == "status":
            return _status(broker.status(), console)
    except BrokerError as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False)
        return EXIT_ERROR
    raise ValueError(f"unknown broker action {action!r}; expected one of {', '.join(ACTIONS)}")


def _start(broker: LocalBroker, console: Console) -> int:
    with console.status("starting Kafka broker (first start downloads its jars)…"):
        started = broker.start()
    state = broker.status()
    verb = "started" if started else "already running"
    console.print(
        f"[green]Kafka broker {verb}[/] at [bold]{state.bootstrap}[/] "
        f"(pid {state.pid}, data in {state.data_dir})",
        highlight=False,
    )
    return EXIT_OK


def _stop(broker: LocalBroker, console: Console) -> int:
    if broker.stop():
        console.print("[green]Kafka broker stopped[/]")
    else:
        console.print("Kafka broker was not running")
    return EXIT_OK


def _status(state: BrokerStatus, console: Console) -> int:
    if not state.running:
        console.print(
            f"Kafka broker [yellow]stopped[/] (data dir {state.data_dir})", highlight=False
        )
        return EXIT_NOT_RUNNING
    console.print(
        f"Kafka broker [green]running[/] at [bold]{state.bootstrap}[/] "
        f"(pid {state.pid}, data dir {state.data_dir})",
        highlight=False,
    )
    return EXIT_OK
