"""A local Prometheus server (Debian's ``prometheus`` package) as a child process.

Used by ``orgpulse demo --prometheus`` and by the end-to-end tests: it writes a config
(scrape targets, the orgpulse rules, intervals, the bearer token file for ``/metrics``; JSON,
which Prometheus reads as YAML), starts the server with its TSDB in ``workdir`` and waits for
``/-/ready``.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from streams.local.process import tail

RULES = Path(__file__).resolve().parents[2] / "prometheus" / "rules" / "orgpulse.rules.yml"
"""The orgpulse recording and alerting rules (in a checkout)."""
STARTUP_SECONDS = 30.0
MISSING_BINARY = (
    "`{name}` is not on PATH: install Debian's `prometheus` package (brings promtool), "
    "e.g. with `make system-deps` (scripts/system-deps.sh) or `apt-get install prometheus`"
)


def binary(name: str) -> str:
    """The path of ``prometheus`` or ``promtool``; a clear error when it is not installed."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(MISSING_BINARY.format(name=name))
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalPrometheus:
    """``prometheus`` scraping ``targets`` every ``scrape_interval`` with ``rule_files`` loaded.

    ``credentials_file`` holds the ``metrics`` token sent as ``Authorization: Bearer`` (the
    worker answers ``/metrics`` 401 without one). Use as a context manager, or call ``start``
    and ``stop``. The config, the TSDB and the log (``prometheus.log``) live in ``workdir``.
    """

    def __init__(
        self,
        workdir: Path,
        targets: Sequence[str],
        *,
        credentials_file: Path | None = None,
        job: str = "orgpulse",
        rule_files: Sequence[Path] = (RULES,),
        scrape_interval: str = "1s",
        evaluation_interval: str = "1s",
        port: int = 0,
    ) -> None:
        self.workdir = workdir.resolve()
        self.targets = list(targets)
        self.credentials_file = None if credentials_file is None else credentials_file.resolve()
        self.job = job
        self.rule_files = [path.resolve() for path in rule_files]
        self.scrape_interval = scrape_interval
        self.evaluation_interval = evaluation_interval
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def config_path(self) -> Path:
        """The generated ``prometheus.yml``."""
        return self.workdir / "prometheus.yml"

    @property
    def log_path(self) -> Path:
        """Where the server's output goes."""
        return self.workdir / "prometheus.log"

    def scrape_config(self) -> dict[str, Any]:
        """The one scrape job: the targets, with the bearer token file when there is one."""
        job: dict[str, Any] = {"job_name": self.job, "static_configs": [{"targets": self.targets}]}
        if self.credentials_file is not None:
            job["authorization"] = {"credentials_file": str(self.credentials_file)}
        return job

    def config(self) -> dict[str, Any]:
        """The configuration document the server runs with."""
        return {
            "global": {
                "scrape_interval": self.scrape_interval,
                "scrape_timeout": self.scrape_interval,
                "evaluation_interval": self.evaluation_interval,
            },
            "rule_files": [str(path) for path in self.rule_files],
            "scrape_configs": [self.scrape_config()],
        }

    def start(self) -> None:
        """Write the config, start the server and wait until ``/-/ready`` answers 200."""
        executable = binary("prometheus")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(self.config(), indent=2))
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    executable,
                    f"--config.file={self.config_path}",
                    f"--storage.tsdb.path={self.workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--log.level=warn",
                ],
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._ready():
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"prometheus not ready after {STARTUP_SECONDS} s (log {self.log_path})"
                )
            time.sleep(0.2)

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"prometheus exited with {self.process.returncode}:\n{self.log_tail()}"
            )
        try:
            with urllib.request.urlopen(f"{self.base}/-/ready", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s; nothing when not running."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log."""
        return tail(self.log_path, lines)
