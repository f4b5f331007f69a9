"""A single-node KRaft Kafka broker run from Maven Central jars, as a detached process."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from streams.local import process
from streams.local.config import (
    HOST,
    BrokerLayout,
    configured_bootstrap,
    new_cluster_id,
    write_config,
)
from streams.local.errors import BrokerError
from streams.local.jars import default_libs_dir, ensure_jars
from streams.local.locking import exclusive
from streams.local.readiness import wait_until_ready
from streams.local.tools import find_java
from streams.settings import Settings

LOG = logging.getLogger(__name__)
JVM_OPTIONS = ("-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true")
FORMAT_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class BrokerStatus:
    """What ``status`` reports about a broker's data dir."""

    running: bool
    pid: int | None
    bootstrap: str
    data_dir: Path


def bootstrap_port(bootstrap: str) -> int:
    """The port of the first ``host:port`` in a bootstrap list."""
    first = bootstrap.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"bootstrap {bootstrap!r} has no host:port")
    return int(port)


class LocalBroker:
    """Start, stop and inspect one local broker whose files live in ``<data_dir>/kafka``."""

    def __init__(
        self,
        data_dir: Path,
        port: int = 9092,
        controller_port: int | None = None,
        libs_dir: Path | None = None,
    ) -> None:
        """Describe a broker; nothing starts until ``start``.

        ``controller_port`` defaults to ``port + 1``; ``libs_dir`` to ``default_libs_dir``.
        """
        self.layout = BrokerLayout.under(data_dir)
        self.data_dir = data_dir
        self.port = port
        self.controller_port = port + 1 if controller_port is None else controller_port
        self.libs_dir = (libs_dir or default_libs_dir(data_dir)).resolve()
        self._process: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalBroker:
        """The broker for ``settings.data_dir`` on the port of ``settings.bootstrap``."""
        return cls(settings.data_dir, port=bootstrap_port(settings.bootstrap))

    @property
    def bootstrap(self) -> str:
        """``host:port`` for clients of this broker."""
        return f"{HOST}:{self.port}"

    def status(self) -> BrokerStatus:
        """Running or not, with the pid and the bootstrap it serves."""
        pid = self._running_pid()
        bootstrap = (configured_bootstrap(self.layout) if pid else None) or self.bootstrap
        return BrokerStatus(pid is not None, pid, bootstrap, self.data_dir)

    def start(self, timeout: float = 90.0) -> bool:
        """Start and wait until ready; False (and nothing done) if already running."""
        with exclusive(self.layout.root / ".start.lock"):
            if self._running_pid() is not None:
                return False
            java = find_java()
            self._check_ports_free()
            ensure_jars(self.libs_dir)
            write_config(self.layout, self.port, self.controller_port)
            if not self.layout.meta_properties.exists():
                self._format(java)
            self._await_ready(self._launch(java), timeout)
        return True

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM the broker and wait (SIGKILL after ``timeout`` s); False if not running."""
        pid = self._running_pid()
        if pid is not None:
            LOG.info("stopping Kafka broker pid %d", pid)
            if not process.terminate(pid, self.layout.server_properties, timeout):
                LOG.warning("Kafka broker pid %d ignored SIGTERM for %.0f s, killed", pid, timeout)
            self._reap()
        self.layout.pid_file.unlink(missing_ok=True)
        return pid is not None

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the broker log and of the JVM console output."""
        parts = [
            f"--- {path} ---\n{text}"
            for path in (self.layout.server_log, self.layout.console_log)
            if (text := process.tail(path, lines))
        ]
        return "\n".join(parts) or "(no broker log written)"

    def __enter__(self) -> LocalBroker:
        """Start the broker (if not running) for the ``with`` block."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the broker."""
        self.stop()

    def _running_pid(self) -> int | None:
        pid = process.read_pid(self.layout.pid_file)
        if pid is None or not process.is_broker_process(pid, self.layout.server_properties):
            return None
        return pid

    def _check_ports_free(self) -> None:
        for port in (self.port, self.controller_port):
            if process.port_in_use(HOST, port):
                raise BrokerError(
                    f"port {port} on {HOST} is already in use (another Kafka broker?); "
                    "stop it or choose another port"
                )

    def _java(self, java: Path, main_class: str, *arguments: str) -> list[str]:
        return [
            str(java),
            *JVM_OPTIONS,
            f"-Dlog4j.configuration=file:{self.layout.log4j_properties}",
            "-cp",
            f"{self.libs_dir}/*",
            main_class,
            *arguments,
        ]

    def _format(self, java: Path) -> None:
        cluster_id = new_cluster_id()
        LOG.info("formatting KRaft storage in %s (cluster id %s)", self.layout.log_dirs, cluster_id)
        command = self._java(
            java, "kafka.tools.StorageTool", "format",
            "-t", cluster_id, "-c", str(self.layout.server_properties),
        )  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=FORMAT_TIMEOUT_SECONDS, check=False
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            raise BrokerError(f"formatting Kafka storage failed ({done.returncode}):\n{output}")

    def _launch(self, java: Path) -> subprocess.Popen[bytes]:
        command = self._java(java, process.MAIN_CLASS, str(self.layout.server_properties))
        with self.layout.console_log.open("ab") as console:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                cwd=self.layout.root,
                start_new_session=True,
            )
        self.layout.pid_file.write_text(f"{self._process.pid}\n")
        LOG.info("started Kafka broker pid %d on %s", self._process.pid, self.bootstrap)
        return self._process

    def _await_ready(self, launched: subprocess.Popen[bytes], timeout: float) -> None:
        try:
            wait_until_ready(self.bootstrap, timeout, lambda: launched.poll() is None)
        except BrokerError as error:
            self.stop(timeout=5.0)
            raise BrokerError(f"{error}; log tail:\n{self.log_tail()}") from error

    def _reap(self) -> None:
        """Collect the exit status of a broker this object started (no zombie left)."""
        if self._process is not None:
            self._process.wait(timeout=10)
            self._process = None
