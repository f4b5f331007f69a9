"""Readiness of a broker: a metadata request through the admin API succeeds."""

from __future__ import annotations

import time
from collections.abc import Callable

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from streams.local.errors import BrokerError

POLL_SECONDS = 0.2


def _admin(bootstrap: str) -> AdminClient:
    """An admin client that retries quickly and keeps refused connections out of the logs."""
    return AdminClient(
        {
            "bootstrap.servers": bootstrap,
            "reconnect.backoff.ms": 100,
            "reconnect.backoff.max.ms": 500,
            "log_level": 0,
        }
    )


def metadata_ok(admin: AdminClient, timeout: float) -> bool:
    """Whether a metadata request returns at least one broker within ``timeout`` s."""
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException:
        return False
    return bool(metadata.brokers)


def wait_until_ready(bootstrap: str, timeout: float, alive: Callable[[], bool]) -> None:
    """Poll ``bootstrap`` until it answers metadata requests.

    Raises BrokerError when ``alive()`` turns false or ``timeout`` seconds pass.
    """
    admin = _admin(bootstrap)
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        if not alive():
            raise BrokerError("the Kafka broker exited during startup")
        if metadata_ok(admin, min(2.0, max(remaining, 0.1))):
            return
        time.sleep(POLL_SECONDS)
    raise BrokerError(f"the Kafka broker at {bootstrap} was not ready within {timeout:.0f} s")
