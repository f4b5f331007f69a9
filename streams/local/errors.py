"""Errors raised by the local Kafka broker launcher."""

from __future__ import annotations

INSTALL_HINT = (
    "install them (e.g. `apt-get install openjdk-17-jre-headless maven`) "
    "or run Kafka in a container with `docker compose up`"
)


class BrokerError(RuntimeError):
    """The local broker could not be prepared, started or stopped."""


class MissingToolError(BrokerError):
    """Java 17+ or Maven, needed to run the local broker, is not usable."""
