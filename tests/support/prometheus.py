"""A real Prometheus server as a child process, and its HTTP API for tests.

``PrometheusProcess`` writes a temporary config (scrape targets, rule files, intervals),
starts Debian's ``prometheus`` binary on a free port with its TSDB in a temporary folder,
waits for ``/-/ready`` and answers queries through ``/api/v1``. The binary comes from the
``prometheus`` package that ``make system-deps`` (scripts/system-deps.sh) installs.
"""

from __future__ import annotations

import json
import math
import shutil
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import yaml
from support.kafka import REPO, free_ports
from support.worker import wait_for

RULES = REPO / "prometheus" / "rules" / "orgpulse.rules.yml"
"""The orgpulse recording and alerting rules."""
STARTUP_SECONDS = 30.0
MISSING_BINARY = (
    "`{name}` is not on PATH: install Debian's `prometheus` package (brings promtool), "
    "e.g. with `make system-deps` (scripts/system-deps.sh) or `apt-get install prometheus`"
)


class PrometheusError(RuntimeError):
    """The Prometheus HTTP API answered with an error (bad query, server error)."""


def binary(name: str) -> str:
    """The path of ``prometheus`` or ``promtool``; a clear error when it is not installed."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(MISSING_BINARY.format(name=name))
    return path


@dataclass(frozen=True)
class Sample:
    """One element of an instant vector (or a scalar, with no labels)."""

    labels: dict[str, str]
    value: float


def _samples(data: Mapping[str, Any]) -> list[Sample]:
    kind = data["resultType"]
    if kind in ("scalar", "string"):
        return [Sample({}, float(data["result"][1]))]
    if kind == "vector":
        return [Sample(dict(r["metric"]), float(r["value"][1])) for r in data["result"]]
    raise PrometheusError(f"expected an instant vector or scalar, got a {kind}")


class PrometheusProcess:
    """``prometheus`` scraping ``targets`` every ``scrape_interval`` with ``rule_files`` loaded.

    Use as a context manager, or call ``start`` and ``stop``. The config, the TSDB and the log
    (``prometheus.log``) live in ``workdir``.
    """

    def __init__(
        self,
        workdir: Path,
        targets: Sequence[str],
        *,
        job: str = "orgpulse",
        rule_files: Sequence[Path] = (RULES,),
        scrape_interval: str = "1s",
        evaluation_interval: str = "1s",
    ) -> None:
        self.workdir = workdir
        self.targets = list(targets)
        self.job = job
        self.rule_files = [path.resolve() for path in rule_files]
        self.scrape_interval = scrape_interval
        self.evaluation_interval = evaluation_interval
        self.port = free_ports(1)[0]
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

    def config(self) -> dict[str, Any]:
        """The configuration document the server runs with."""
        return {
            "global": {
                "scrape_interval": self.scrape_interval,
                "scrape_timeout": self.scrape_interval,
                "evaluation_interval": self.evaluation_interval,
            },
            "rule_files": [str(path) for path in self.rule_files],
            "scrape_configs": [
                {"job_name": self.job, "static_configs": [{"targets": self.targets}]}
            ],
        }

    def start(self) -> None:
        """Write the config, start the server and wait until ``/-/ready`` answers 200."""
        executable = binary("prometheus")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(yaml.safe_dump(self.config(), sort_keys=False))
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
        try:
            wait_for(self._ready, STARTUP_SECONDS, f"prometheus ready (log {self.log_path})")
        except BaseException:
            self.stop()
            raise

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
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def api(self, path: str, **params: str) -> Any:
        """GET ``/api/v1/<path>`` and return its ``data``; ``PrometheusError`` on failure."""
        url = f"{self.base}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = json.loads(error.read() or b"{}")
            if "error" not in body:
                raise
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query_data(self, expr: str, at: float | None = None) -> dict[str, Any]:
        """``/api/v1/query`` as Prometheus answers it: ``{"resultType", "result"}``."""
        params = {"query": expr} if at is None else {"query": expr, "time": repr(at)}
        data: dict[str, Any] = self.api("query", **params)
        return data

    def query(self, expr: str, at: float | None = None) -> list[Sample]:
        """Evaluate ``expr`` now (or at unix time ``at``): its samples."""
        return _samples(self.query_data(expr, at))

    def query_range(self, expr: str, start: float, end: float, step: float) -> dict[str, Any]:
        """``/api/v1/query_range`` as Prometheus answers it (a matrix)."""
        data: dict[str, Any] = self.api(
            "query_range", query=expr, start=repr(start), end=repr(end), step=repr(step)
        )
        return data

    def values(self, expr: str, by: str) -> dict[str, float]:
        """Evaluate ``expr``: value of each sample keyed by its label ``by``."""
        return {sample.labels.get(by, ""): sample.value for sample in self.query(expr)}

    def wait_for_query(
        self, expr: str, check: Callable[[list[Sample]], bool], timeout: float, what: str = ""
    ) -> list[Sample]:
        """Re-evaluate ``expr`` until ``check`` accepts its samples; those samples."""
        found: list[Sample] = []

        def accepted() -> bool:
            found[:] = self.query(expr)
            return check(found)

        wait_for(accepted, timeout, what or f"{expr!r} (last: {found})")
        return found

    def targets_up(self) -> bool:
        """Whether every active scrape target's last scrape succeeded."""
        active = self.api("targets", state="active")["activeTargets"]
        return bool(active) and all(target["health"] == "up" for target in active)

    def alerts(self) -> list[dict[str, Any]]:
        """Pending and firing alerts (``/api/v1/alerts``)."""
        alerts: list[dict[str, Any]] = self.api("alerts")["alerts"]
        return alerts

    def rule_groups(self) -> list[dict[str, Any]]:
        """Loaded rule groups with each rule's health and last error (``/api/v1/rules``)."""
        groups: list[dict[str, Any]] = self.api("rules")["groups"]
        return groups

    def wait_for_alert(
        self,
        name: str,
        labels: Mapping[str, str] | None = None,
        *,
        state: str = "firing",
        timeout: float = 90.0,
    ) -> dict[str, Any]:
        """Wait until alert ``name`` with ``labels`` (a subset) is in ``state``; that alert."""
        wanted = dict(labels or {})
        found: list[dict[str, Any]] = []

        def present() -> bool:
            found[:] = [
                alert
                for alert in self.alerts()
                if alert["labels"].get("alertname") == name
                and alert["state"] == state
                and wanted.items() <= alert["labels"].items()
            ]
            return bool(found)

        wait_for(present, timeout, f"alert {name} {wanted} {state} (log {self.log_path})")
        return found[0]


def finite(samples: list[Sample]) -> bool:
    """Whether there are samples and all are finite numbers."""
    return bool(samples) and all(math.isfinite(sample.value) for sample in samples)


def promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``promtool`` with ``args``; output captured, never raises on failure."""
    return subprocess.run(
        [binary("promtool"), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
