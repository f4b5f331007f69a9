"""Shared pieces of the broker-backed benchmarks: a local broker, worker processes, sampling.

Each script starts its own :class:`LocalBroker` from the cached jars on its own ports, so
benchmarks can run next to each other and next to the test suite (which takes free ports).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from streams.access import SCOPES, add_token, tokens_path
from streams.commands.demo_view import parse_metrics
from streams.commands.snapshot import get
from streams.connectors.emitter import Emitter
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.topics import ensure_topics
from streams.local.broker import LocalBroker
from streams.local.jars import default_libs_dir
from streams.settings import Settings
from streams.timeutil import parse_time

REPO = Path(__file__).resolve().parents[1]
PROCESSED = "orgpulse_events_processed_total"
WORKER_COMMAND = (sys.executable, "-m", "streams", "worker", "--loglevel", "warning")
STARTUP_SECONDS = 120.0
POLL_SECONDS = 1.0


def local_broker(data_dir: Path, port: int) -> LocalBroker:
    """A broker on ``port`` (controller ``port + 1``) from the repo's jar cache; use it in a
    ``with`` block, which starts and stops it."""
    return LocalBroker(data_dir, port=port, libs_dir=default_libs_dir(REPO / ".orgpulse"))


def bench_settings(broker: LocalBroker, data_dir: Path, app_id: str, web_port: int) -> Settings:
    """Settings for a worker of ``app_id`` on ``broker``, with the orgpulse topics created;
    the worker has a static group membership, as docker-compose.yml's."""
    settings = Settings(
        bootstrap=broker.bootstrap,
        data_dir=data_dir / "orgpulse",
        app_id=app_id,
        instance_id=f"{app_id}-worker",
        web_port=web_port,
        schema_registry_url=None,
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_topics(settings)
    return settings


BACKFILL_TENANT = "acme"


def backfill_simulator(events: int, people: int, teams: int, days: float) -> OrgSimulator:
    """The simulated organization of the backfill figure: tenant :data:`BACKFILL_TENANT`,
    seed 7, one siloed team in 20, ``events`` events over ``days`` days from 2026-06-01."""
    spec = OrgSpec(
        seed=7,
        tenant=BACKFILL_TENANT,
        people=people,
        teams=teams,
        siloed_teams=max(1, teams // 20),
        events_per_hour=events / (days * 24),
    )
    return OrgSimulator(spec, events, parse_time("2026-06-01T00:00:00Z"))


def produce(settings: Settings, simulator: OrgSimulator, envelopes: bool = True) -> float:
    """Produce the simulator's directory and events through the SDK emitter, in envelopes
    (what producers write) or with ``envelopes=False`` one record per event; seconds taken."""
    started = time.perf_counter()
    simulator.run(Emitter(settings, envelopes=envelopes))
    return time.perf_counter() - started


def figure(name: str, value: float, unit: str) -> None:
    """Print the machine-readable line ``FIGURE <name> <value> <unit>`` that ``run.py``
    collects into the summary table of BENCHMARKS.md."""
    print(f"FIGURE {name} {value:.6g} {unit}")


def rss_mib(pid: int) -> tuple[float, float]:
    """Current and peak resident set size of a process, MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class ServiceProcess:
    """A worker-like child process (the orgpulse worker or a baseline) serving HTTP.

    Started with ``settings`` in its environment; output goes to ``<data_dir>/<name>.log``.
    Requests send :attr:`token`, an all-tenants token with every scope made for the process.
    """

    def __init__(
        self, settings: Settings, name: str, command: Sequence[str] = WORKER_COMMAND
    ) -> None:
        self.settings = settings
        self.name = name
        self.command = list(command)
        self.base = f"http://{settings.web_host}:{settings.web_port}"
        self.token = add_token(tokens_path(settings), [], SCOPES)[1]
        self.log_path = settings.data_dir / f"{name}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """Process id of the running child."""
        if self._process is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._process.pid

    def start(self) -> float:
        """Start the process; returns the ``time.monotonic()`` of the start."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            started = time.monotonic()
            self._process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env={**os.environ, **self.settings.to_env()},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return started

    def check_alive(self) -> None:
        """Raise with the log tail if the process has exited."""
        if self._process is not None and self._process.poll() is not None:
            tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
            raise RuntimeError(f"{self.name} exited with {self._process.returncode}:\n{tail}")

    def get(self, path: str, timeout: float = 10.0) -> bytes:
        """GET a path of the process's web port with :attr:`token`."""
        return get(f"{self.base}{path}", self.token, timeout)

    def get_json(self, path: str) -> Any:
        """GET a JSON document of the process's web port."""
        return json.loads(self.get(path))

    def metrics(self, timeout: float = 5.0) -> dict[str, float] | None:
        """Each metric's samples summed over labels, or None while the port does not answer
        within ``timeout``."""
        try:
            return parse_metrics(self.get("/metrics", timeout=timeout).decode())
        except (urllib.error.URLError, OSError):
            return None

    def processed(self) -> float | None:
        """``orgpulse_events_processed_total`` summed over labels (None while unreachable)."""
        metrics = self.metrics()
        return None if metrics is None else metrics.get(PROCESSED, 0.0)

    def healthy(self) -> bool:
        """Whether ``/health`` answers 200 (joined, not rebalancing, tables recovered)."""
        try:
            self.get("/health", timeout=5.0)
        except (urllib.error.URLError, OSError):
            return False
        return True

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> None:
        """Wait until :meth:`healthy`."""
        deadline = time.monotonic() + timeout
        while not self.healthy():
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not healthy within {timeout} s ({self.log_path})")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM the process and wait for it (SIGKILL after 60 s)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def kill(self) -> None:
        """SIGKILL the process (no shutdown of any kind) and reap it."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class Sampler(threading.Thread):
    """Calls ``probe`` every ``interval`` seconds in a thread and keeps ``(monotonic, value)``
    samples (a probe returning None, e.g. while a port is not up yet, records nothing)."""

    def __init__(self, probe: Callable[[], float | None], interval: float) -> None:
        super().__init__(daemon=True)
        self.probe = probe
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self.probe_seconds = 0.0
        self._stopped = threading.Event()

    def run(self) -> None:
        """Sample until :meth:`stop`."""
        next_at = time.monotonic()
        while not self._stopped.is_set():
            began = time.monotonic()
            value = self.probe()
            if value is not None:
                self.samples.append((time.monotonic(), value))
                self.probe_seconds += time.monotonic() - began
            next_at += self.interval
            self._stopped.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stopped.set()
        self.join()

    @property
    def mean_probe_seconds(self) -> float:
        """Mean duration of the probes that returned a value."""
        return self.probe_seconds / max(len(self.samples), 1)

    @property
    def latest(self) -> float | None:
        """The most recent value, if any."""
        return self.samples[-1][1] if self.samples else None

    def first_reaching(self, value: float) -> tuple[float, float] | None:
        """The first sample whose value is at least ``value``."""
        return next((s for s in self.samples if s[1] >= value), None)

    def wait_for(self, value: float, timeout: float, alive: Callable[[], None]) -> None:
        """Block until a sample reaches ``value``; ``alive`` raises if the source died."""
        deadline = time.monotonic() + timeout
        while (self.latest or 0.0) < value:
            alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.latest} of {value} after {timeout} s")
            time.sleep(min(self.interval, 0.05))


@dataclass(frozen=True)
class CountRun:
    """How a process counted ``total`` events: start, first count seen, all counted, and the
    mean duration of one ``/metrics`` scrape while polling."""

    total: int
    started: float
    first_seen: float
    first_count: float
    done: float
    scrape_seconds: float = 0.0

    @property
    def end_to_end(self) -> float:
        """Events/s from process start to all counted (start-up included)."""
        return self.total / (self.done - self.started)

    @property
    def startup(self) -> float:
        """Seconds from process start to the first counted event."""
        return self.first_seen - self.started

    @property
    def steady(self) -> float:
        """Events/s from the first count seen to all counted (start-up excluded); end to end
        when the first count seen was already all of them (a run shorter than a poll)."""
        if self.first_count >= self.total:
            return self.end_to_end
        return (self.total - self.first_count) / max(self.done - self.first_seen, 1e-9)


def count_run(
    service: ServiceProcess, total: int, timeout: float, interval: float = POLL_SECONDS
) -> CountRun:
    """Start ``service`` and poll its processed counter until it reaches ``total``.

    A scrape of a busy worker's ``/metrics`` takes tens of milliseconds of its event loop
    (thousands of series), so polling is kept to about once a second: fast polling would slow
    down what it measures. Rates are therefore accurate to about one interval."""
    sampler = Sampler(service.processed, interval)
    started = service.start()
    sampler.start()
    try:
        sampler.wait_for(total, timeout, service.check_alive)
    finally:
        sampler.stop()
    first = next(s for s in sampler.samples if s[1] > 0)
    done = sampler.first_reaching(total)
    assert done is not None
    return CountRun(total, started, first[0], first[1], done[0], sampler.mean_probe_seconds)


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope and intercept of ``ys`` over ``xs``."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x
