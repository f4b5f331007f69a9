"""The broker's OS process: pid file, liveness, termination and log tails."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path

MAIN_CLASS = "kafka.Kafka"
_PROC = Path("/proc")


def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file``, or None if missing or unreadable."""
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def is_broker_process(pid: int, server_properties: Path) -> bool:
    """Whether ``pid`` is a live ``kafka.Kafka`` JVM started with ``server_properties``.

    Checking the command line guards against a recycled pid; a zombie has an empty one.
    Without ``/proc`` (not Linux), only the liveness of the pid is checked.
    """
    if not _PROC.is_dir():
        return _pid_alive(pid)
    try:
        arguments = (_PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return MAIN_CLASS.encode() in arguments and str(server_properties).encode() in arguments


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def terminate(pid: int, server_properties: Path, timeout: float) -> bool:
    """SIGTERM ``pid`` and wait; SIGKILL after ``timeout`` s. True if it exited on SIGTERM."""
    _signal(pid, signal.SIGTERM)
    if wait_for_exit(pid, server_properties, timeout):
        return True
    _signal(pid, signal.SIGKILL)
    wait_for_exit(pid, server_properties, 10.0)
    return False


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def wait_for_exit(pid: int, server_properties: Path, timeout: float) -> bool:
    """Poll until ``pid`` is no longer the broker; False if it still is after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while is_broker_process(pid, server_properties):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a text file (empty if it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 64 * 1024))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])


def port_in_use(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((host, port)) == 0
