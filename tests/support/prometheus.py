"""A real Prometheus server (see streams.local.prometheus) and its HTTP API for tests.

``PrometheusProcess`` writes a temporary config (scrape targets, rule files, intervals),
starts Debian's ``prometheus`` binary on a free port with its TSDB in a temporary folder,
waits for ``/-/ready`` and answers queries through ``/api/v1``. The binary comes from the
``prometheus`` package that ``make system-deps`` (scripts/system-deps.sh) installs.
"""

from __future__ import annotations

import json
import math
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.worker import wait_for

from streams.local.prometheus import LocalPrometheus, binary


class PrometheusError(RuntimeError):
    """The Prometheus HTTP API answered with an error (bad query, server error)."""


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


class PrometheusProcess(LocalPrometheus):
    """:class:`LocalPrometheus` with its HTTP API for tests."""

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
