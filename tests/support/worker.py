"""Running the real orgpulse worker as a child process against the test broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from support.expected import PROCESSED, Snapshots, counter_by, differences
from support.kafka import REPO, TopicFactory, free_ports

from streams.access import SCOPES, add_token, tokens_path
from streams.agents.failstop import EXIT_FAIL_STOP
from streams.commands.demo_view import parse_metrics
from streams.settings import Settings

STARTUP_SECONDS = 90.0
START_ATTEMPTS = 3
"""Starts in a row of a worker that fail-stops, as a supervisor would restart it."""
EXIT_WAIT_SECONDS = 3.0
"""How long a worker that refuses connections is given to show that it has exited."""


def pipeline_settings(base: Settings, topics: TopicFactory, partitions: int = 4) -> Settings:
    """Settings with fresh topics, a unique app id and a free web port."""
    compact = {"cleanup.policy": "compact"}
    return base.model_copy(
        update={
            "app_id": f"orgpulse-test-{uuid.uuid4().hex[:8]}",
            "topic_interactions": topics("interactions", partitions),
            "topic_directory": topics("directory", partitions, compact),
            "topic_dlq": topics("dlq"),
            "topic_alerts": topics("alerts"),
            "partitions": partitions,
            "web_port": free_ports(1)[0],
            "refresh_seconds": 0.5,
        }
    )


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` every 0.2 s until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


class Answer(NamedTuple):
    """An HTTP answer of the worker."""

    status: int
    body: bytes
    headers: dict[str, str]


class FailStopped(RuntimeError):
    """The worker exited with :data:`EXIT_FAIL_STOP`: a supervisor starts it again."""


class WorkerProcess:
    """``python -m streams worker`` with the given settings; logs to ``<data_dir>/worker-N.log``.

    ``token`` is an all-tenants token with every scope, created in the worker's tokens file
    with the real token store; every request of these helpers sends it.

    Like the ``restart: unless-stopped`` policy of docker-compose.yml, a worker that exits
    with :data:`EXIT_FAIL_STOP` (it reads its uncommitted records again when started) is
    started again: while it starts, and when a request finds it gone. ``starts`` counts
    every start, ``fail_stops`` those that followed a fail-stop.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = f"http://{settings.web_host}:{settings.web_port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.fail_stops = 0
        self.token = add_token(tokens_path(settings), [], SCOPES)[1]

    @property
    def log_path(self) -> Path:
        """Log file of the current (or last) process."""
        return self.settings.data_dir / f"worker-{self.starts}.log"

    def start(self) -> None:
        """Start the worker and wait until ``/health`` answers 200; one that fail-stops
        before it is healthy is started again, up to :data:`START_ATTEMPTS` times in all."""
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self._launch()
                return
            except FailStopped:
                if attempt == START_ATTEMPTS:
                    raise
                self.fail_stops += 1

    def _open(self, request: urllib.request.Request, timeout: float) -> Answer:
        """Send ``request``, launching the worker again first when it has fail-stopped since
        (at most :data:`START_ATTEMPTS` launches for one request); raises on HTTP errors."""
        launches = 0
        while True:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return Answer(response.status, response.read(), dict(response.headers))
            except urllib.error.HTTPError:
                raise
            except urllib.error.URLError:
                if launches == START_ATTEMPTS or not self._fail_stopped():
                    raise
            launches += 1
            self.fail_stops += 1
            try:
                self._launch()
            except FailStopped:
                if launches == START_ATTEMPTS:
                    raise  # the next round would find it gone again

    def _fail_stopped(self) -> bool:
        """Whether the process has exited (within a few seconds) with EXIT_FAIL_STOP."""
        if self.process is None:
            return False
        try:
            return self.process.wait(timeout=EXIT_WAIT_SECONDS) == EXIT_FAIL_STOP
        except subprocess.TimeoutExpired:
            return False

    def _launch(self) -> None:
        self.starts += 1
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.settings.to_env()}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streams", "worker"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self.healthy, STARTUP_SECONDS, f"worker health (log {self.log_path})")

    def healthy(self) -> bool:
        """Whether ``/health`` answers 200; raises if the process has exited."""
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            failure = FailStopped if code == EXIT_FAIL_STOP else RuntimeError
            raise failure(f"worker exited with {code}:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"{self.base}/health", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, signum: signal.Signals = signal.SIGTERM) -> None:
        """Signal the worker and wait for it to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signum)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the current log."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def auth(self, token: str | None = None) -> dict[str, str]:
        """The ``Authorization`` header with ``token`` (default: :attr:`token`)."""
        return {"Authorization": f"Bearer {token or self.token}"}

    def get(self, path: str) -> bytes:
        """GET a path of the worker's web port with :attr:`token`; raises on HTTP errors."""
        request = urllib.request.Request(f"{self.base}{path}", headers=self.auth())
        return self._open(request, timeout=10).body

    def send(
        self, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Answer:
        """GET (or POST, with ``body``) with exactly these ``headers``; never raises on a status."""
        request = urllib.request.Request(
            f"{self.base}{path}", data=body, headers=dict(headers or {})
        )
        try:
            return self._open(request, timeout=30)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers))

    def post(
        self,
        path: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        authorized: bool = True,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        """POST ``body`` (with :attr:`token` unless not ``authorized``): status and JSON answer."""
        sent = {"Content-Type": content_type, **(self.auth() if authorized else {})}
        answer = self.send(path, body, {**sent, **(headers or {})})
        return answer.status, json.loads(answer.body)

    def metrics(self) -> dict[str, float]:
        """Each metric's samples summed over labels."""
        return parse_metrics(self.get("/metrics").decode())

    def snapshot(self, tenant: str, window: str) -> dict[str, Any]:
        """The snapshot JSON of a tenant and window."""
        body: dict[str, Any] = json.loads(
            self.get(f"/api/v1/tenants/{tenant}/snapshot?window={window}")
        )
        return body

    def processed(self) -> float:
        """``orgpulse_events_processed_total`` over all tenants and sources."""
        return self.metrics().get(PROCESSED, 0.0)

    def counter_by(self, name: str, label: str) -> dict[str, float]:
        """The samples of one metric summed by one of its labels."""
        return counter_by(self.get("/metrics").decode(), name, label)

    def serves(self, tenant: str) -> bool:
        """Whether the snapshot API serves ``tenant`` (False: 404, another worker's tenant)."""
        try:
            self.get(f"/api/v1/tenants/{tenant}/snapshot")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise
        return True

    def snapshots_equal(self, tenant: str, expected: Snapshots) -> bool:
        """Whether every window's snapshot equals ``expected`` (False while not served yet)."""
        try:
            return all(self.snapshot(tenant, w) == s for w, s in expected.items())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise

    def await_snapshots(self, tenant: str, expected: Snapshots, timeout: float = 120.0) -> None:
        """Wait until every window's snapshot equals ``expected``; on timeout, show the diff."""
        try:
            wait_for(
                lambda: self.snapshots_equal(tenant, expected),
                timeout,
                f"snapshots of {tenant} equal to the expected ones (log {self.log_path})",
            )
        except TimeoutError as timeout_error:
            for window, snapshot in expected.items():
                diff = differences(self.snapshot(tenant, window), snapshot, window)
                assert not diff, f"{tenant}: {diff} ({timeout_error})"
            raise

    def wait_counted(self, total: int, timeout: float = 120.0) -> None:
        """Wait until processed + duplicate + late + dead-lettered events reach ``total``."""
        names = (
            "orgpulse_events_processed_total",
            "orgpulse_events_duplicate_total",
            "orgpulse_events_late_total",
            "orgpulse_events_dead_lettered_total",
        )

        def done() -> bool:
            metrics = self.metrics()
            return sum(metrics.get(name, 0.0) for name in names) >= total

        wait_for(done, timeout, f"{total} events counted (log {self.log_path})")
