"""``orgpulse demo``: local broker + worker + simulator, with a live view until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live

from streams.access import kept_token, tokens_path
from streams.commands.demo_view import parse_metrics, render
from streams.commands.simulate import add_arguments, simulator_from
from streams.commands.snapshot import fetch, get
from streams.connectors.emitter import Emitter
from streams.connectors.pseudonym import stored_key
from streams.kafka.topics import ensure_topics
from streams.local.broker import LocalBroker
from streams.local.errors import BrokerError
from streams.local.prometheus import LocalPrometheus
from streams.settings import Settings, get_settings


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser("demo", help="broker + worker + simulator, live view")
    add_arguments(parser)
    parser.set_defaults(events=400_000, rate=1000.0, events_per_hour=1200.0)
    parser.add_argument(
        "--prometheus",
        action="store_true",
        help="also run a local Prometheus with the orgpulse rules (if installed)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        help="stop after this many seconds (0: run until Ctrl-C)",
    )
    parser.set_defaults(func=run)


def log_to_file(path: Path) -> None:
    """Send this process's log records (librdkafka's included) to ``path``, so no log line
    breaks the live view."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(handlers=[handler], level=logging.getLogger().level, force=True)


def live_run(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with a new simulator run unless ``--run`` is given: a second demo on the same
    data dir then produces new events, not duplicates of the first run's."""
    if args.run:
        return args
    return argparse.Namespace(**{**vars(args), "run": int(time.time())})


def demo_settings(settings: Settings) -> Settings:
    """``settings`` with the demo's own key (``<data dir>/pseudonym.key``) unless one is set."""
    if settings.pseudonym_key is not None:
        return settings
    key = stored_key(settings.data_dir / "pseudonym.key")
    return settings.model_copy(update={"pseudonym_key": key})


def demo_token(settings: Settings) -> tuple[str, Path]:
    """The demo's token (every tenant; ``read`` and ``metrics``) and ``<data dir>/demo.token``,
    the 0600 file that keeps it across runs."""
    path = settings.data_dir / "demo.token"
    return kept_token(tokens_path(settings), path, [], ("read", "metrics")), path


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """Run ``orgpulse worker`` in a child process logging to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "streams", "worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **settings.to_env()},
        )


def start_prometheus(
    settings: Settings, console: Console, token_file: Path
) -> LocalPrometheus | None:
    """A local Prometheus scraping the worker every 5 s with the token in ``token_file``, or
    ``None`` when not installed."""
    prometheus = LocalPrometheus(
        settings.data_dir / "prometheus",
        [f"{settings.web_host}:{settings.web_port}"],
        credentials_file=token_file,
        scrape_interval="5s",
        evaluation_interval="5s",
        port=9090,
    )
    try:
        prometheus.start()
    except (FileNotFoundError, TimeoutError, RuntimeError) as error:
        console.print(f"[yellow]no local Prometheus: {error}[/yellow]")
        return None
    console.print(f"prometheus: {prometheus.base} (alerts: {prometheus.base}/alerts)")
    return prometheus


def _read_metrics(base: str, token: str) -> dict[str, float]:
    try:
        return parse_metrics(get(f"{base}/metrics", token, timeout=5).decode())
    except (urllib.error.URLError, OSError):
        return {}


def _read_snapshot(base: str, tenant: str, window: str, token: str) -> dict[str, Any] | None:
    try:
        return fetch(base, tenant, window, token)
    except (urllib.error.URLError, OSError):
        return None


def run(args: argparse.Namespace) -> int:
    """Start everything, show the live view, stop what was started on exit."""
    console = Console()
    settings = demo_settings(get_settings())
    log_to_file(settings.data_dir / "demo.log")
    broker = LocalBroker.from_settings(settings)
    console.print("starting the local Kafka broker (first start downloads the jars)…")
    try:
        started_broker = broker.start()
    except BrokerError as error:
        console.print(f"[red]cannot start the local broker:[/red] {error}")
        return 1
    ensure_topics(settings)
    worker = start_worker(settings, settings.data_dir / "worker.log")
    token, token_file = demo_token(settings)
    prometheus = start_prometheus(settings, console, token_file) if args.prometheus else None
    simulator = simulator_from(live_run(args))
    producer = threading.Thread(target=simulator.run, args=(Emitter(settings),), daemon=True)
    producer.start()
    base = f"http://{settings.web_host}:{settings.web_port}"
    auth = f'-H "Authorization: Bearer $(cat {token_file})"'
    snapshot_url = f"{base}/api/v1/tenants/{args.tenant}/snapshot?window={settings.silo_window}"
    console.print(
        f"token (read, metrics; every tenant) in {token_file}:\n"
        f"  curl {auth} {base}/metrics\n"
        f"  curl {auth} '{snapshot_url}'\n"
        f"  ORGPULSE_TOKEN=$(cat {token_file}) orgpulse snapshot --tenant {args.tenant}\n"
        f"logs: {settings.data_dir / 'worker.log'}, {settings.data_dir / 'demo.log'}\n"
        "Ctrl-C to stop",
        markup=False,
        highlight=False,
    )
    deadline = time.monotonic() + args.duration if args.duration > 0 else float("inf")
    previous, previous_at = 0.0, time.monotonic()
    try:
        with Live(render(None, {}, 0.0), console=console, refresh_per_second=1) as live:
            while time.monotonic() < deadline and worker.poll() is None:
                time.sleep(2.0)
                metrics = _read_metrics(base, token)
                processed = metrics.get("orgpulse_events_processed_total", 0.0)
                now = time.monotonic()
                rate = (processed - previous) / (now - previous_at)
                previous, previous_at = processed, now
                snapshot = _read_snapshot(base, args.tenant, settings.silo_window, token)
                live.update(render(snapshot, metrics, rate))
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
        producer.join(timeout=60)
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if prometheus is not None:
            prometheus.stop()
        if started_broker:
            broker.stop()
    return 0 if worker.returncode in (0, -15) else 1
