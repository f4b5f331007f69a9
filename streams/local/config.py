"""Files of a single-node KRaft broker: where they live and what they say.

Topic auto-creation is off: orgpulse and Faust create their topics through the admin API
with explicit partition counts, and a typo in a topic name should fail loudly instead of
creating a stray one-partition topic. Flip ``auto.create.topics.enable`` below if a client
ever depends on it.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
NODE_ID = 1


@dataclass(frozen=True)
class BrokerLayout:
    """Paths of one broker below ``<data_dir>/kafka``."""

    root: Path

    @classmethod
    def under(cls, data_dir: Path) -> BrokerLayout:
        """The layout for a settings-style data dir (absolute, so the JVM may run anywhere)."""
        return cls(data_dir.resolve() / "kafka")

    @property
    def server_properties(self) -> Path:
        """The broker configuration file."""
        return self.root / "config" / "server.properties"

    @property
    def log4j_properties(self) -> Path:
        """The broker's log4j configuration."""
        return self.root / "config" / "log4j.properties"

    @property
    def log_dirs(self) -> Path:
        """KRaft metadata and topic partitions (``log.dirs``)."""
        return self.root / "data"

    @property
    def meta_properties(self) -> Path:
        """Written by the storage format; its presence means formatted."""
        return self.log_dirs / "meta.properties"

    @property
    def server_log(self) -> Path:
        """The broker's own log, written by log4j."""
        return self.root / "log" / "server.log"

    @property
    def console_log(self) -> Path:
        """The JVM's stdout and stderr."""
        return self.root / "log" / "console.log"

    @property
    def pid_file(self) -> Path:
        """The pid of the running broker."""
        return self.root / "broker.pid"


def new_cluster_id() -> str:
    """A random 22-character base64url cluster id, as ``kafka-storage random-uuid`` makes."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka avoids ids that look like CLI options
            return cluster_id


def server_properties(layout: BrokerLayout, port: int, controller_port: int) -> str:
    """``server.properties`` of a combined broker+controller node on 127.0.0.1."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(layout.log_dirs),
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",
        "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
        "controlled.shutdown.enable": "true",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def log4j_properties(layout: BrokerLayout) -> str:
    """log4j 1.x configuration sending the broker log to a rolling file."""
    return (
        "log4j.rootLogger=INFO, file\n"
        "log4j.appender.file=org.apache.log4j.RollingFileAppender\n"
        f"log4j.appender.file.File={layout.server_log}\n"
        "log4j.appender.file.MaxFileSize=10MB\n"
        "log4j.appender.file.MaxBackupIndex=3\n"
        "log4j.appender.file.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.logger.state.change.logger=WARN\n"
        "log4j.logger.kafka.request.logger=WARN\n"
    )


def write_config(layout: BrokerLayout, port: int, controller_port: int) -> None:
    """Write both configuration files and create the directories they name."""
    for directory in (layout.server_properties.parent, layout.log_dirs, layout.server_log.parent):
        directory.mkdir(parents=True, exist_ok=True)
    layout.server_properties.write_text(server_properties(layout, port, controller_port))
    layout.log4j_properties.write_text(log4j_properties(layout))


def configured_bootstrap(layout: BrokerLayout) -> str | None:
    """``host:port`` advertised by the written configuration, if there is one."""
    if not layout.server_properties.is_file():
        return None
    for line in layout.server_properties.read_text().splitlines():
        key, _, value = line.partition("=")
        if key == "advertised.listeners":
            return value.removeprefix("PLAINTEXT://")
    return None
