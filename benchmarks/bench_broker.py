"""Seconds to a ready local Kafka broker: cold (jars fetched, storage formatted) and warm.

    .venv/bin/python benchmarks/bench_broker.py [--skip-download]

``cold, download``: empty Maven repository and jar cache, so Maven Central is hit.
``cold, ~/.m2``: empty jar cache filled offline from the local Maven repository.
``warm``: cached jars and an already formatted data dir. Each start is followed by a stop.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from unittest.mock import patch

from streams.local.broker import LocalBroker


def _free_ports() -> tuple[int, int]:
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(2)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return sockets[0].getsockname()[1], sockets[1].getsockname()[1]


def _timed_cycle(broker: LocalBroker) -> tuple[float, float]:
    """Seconds to start (until ready) and to stop."""
    began = time.perf_counter()
    broker.start()
    started = time.perf_counter()
    broker.stop()
    return started - began, time.perf_counter() - started


def _report(label: str, seconds: tuple[float, float]) -> None:
    print(f"{label:<22} start {seconds[0]:6.2f} s   stop {seconds[1]:5.2f} s", flush=True)


def run(skip_download: bool) -> None:
    """Run the cold and warm cycles in a scratch directory and print their timings."""
    with tempfile.TemporaryDirectory(prefix="bench-broker-") as scratch:
        root = Path(scratch)
        if not skip_download:
            fresh = LocalBroker(root / "download", *_free_ports(), libs_dir=root / "libs-download")
            with patch.dict(os.environ, {"MAVEN_OPTS": f"-Dmaven.repo.local={root / 'm2'}"}):
                _report("cold, download", _timed_cycle(fresh))
        broker = LocalBroker(root / "data", *_free_ports(), libs_dir=root / "libs")
        _report("cold, ~/.m2", _timed_cycle(broker))
        for attempt in range(1, 4):
            _report(f"warm #{attempt}", _timed_cycle(broker))


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--skip-download", action="store_true", help="skip the Maven Central download run"
    )
    run(parser.parse_args().skip_download)


if __name__ == "__main__":
    main()
