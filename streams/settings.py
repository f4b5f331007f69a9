"""The one settings object of orgpulse, read from ``ORGPULSE_*`` environment variables."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WINDOW_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> int:
    """Return the number of seconds in a duration such as ``90s``, ``1h``, ``7d`` or ``2w``.

    >>> parse_duration("90s"), parse_duration("1h"), parse_duration("7d")
    (90, 3600, 604800)
    >>> parse_duration("0d")
    Traceback (most recent call last):
    ...
    ValueError: invalid duration '0d': expected a positive number and one of s m h d w
    """
    text = text.strip()
    unit = text[-1:]
    if unit not in WINDOW_UNITS or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise ValueError(
            f"invalid duration {text!r}: expected a positive number and one of s m h d w"
        )
    return int(text[:-1]) * WINDOW_UNITS[unit]


class Settings(BaseSettings):
    """Broker, topics, windows, thresholds and secrets; frozen once loaded."""

    model_config = SettingsConfigDict(env_prefix="ORGPULSE_", frozen=True, extra="ignore")

    app_id: str = "orgpulse"
    bootstrap: str = "localhost:9092"
    schema_registry_url: str | None = None

    topic_interactions: str = "interactions"
    topic_directory: str = "directory"
    topic_dlq: str = "interactions-dlq"
    topic_alerts: str = "alerts"
    partitions: int = Field(default=4, ge=1)

    pseudonym_key: SecretStr | None = None
    """No default: producers refuse to run without a key of 32+ bytes (connectors/pseudonym.py)."""
    pseudonymize_channels: bool = True

    bucket_seconds: int = Field(default=3600, ge=1)
    windows: tuple[str, ...] = ("1d", "7d", "28d")
    max_targets: int = Field(default=50, ge=1)
    max_future_seconds: int = Field(default=300, ge=0)
    min_group_size: int = Field(default=5, ge=1)

    silo_window: str = "7d"
    silo_enter_ei: float = -0.6
    silo_exit_ei: float = -0.4
    silo_consecutive: int = Field(default=3, ge=1)

    response_horizon_seconds: int = Field(default=14 * 86400, ge=1)
    response_grace_seconds: int = Field(default=86400, ge=0)
    bots: tuple[str, ...] = ()
    """Pseudonymous ids of automated accounts, besides those the directory flags."""

    envelope_max_events: int = Field(default=500, ge=1)
    envelope_max_bytes: int = Field(default=256 * 1024, ge=1024, le=900 * 1024)
    """Most bytes of the events of one envelope (the broker's default maximum is 1 MiB)."""
    envelope_linger_seconds: float = Field(default=0.05, ge=0)
    """How long a producer holds a partial envelope before it sends it."""

    batch_size: int = Field(default=1000, ge=1)
    batch_within_seconds: float = Field(default=0.5, gt=0)
    refresh_seconds: float = Field(default=2.0, gt=0)
    session_timeout_seconds: float = Field(default=10.0, gt=0)
    instance_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,64}$")
    """A name of this worker that stays the same across its restarts and differs from every
    other worker of the group (Kafka static membership): a restarted worker gets its
    partitions back at once instead of after the session timeout of its killed self, and a
    stopped one keeps them for ``session_timeout_seconds``. Unset: dynamic membership."""
    broker_retry_seconds: float = Field(default=120.0, gt=0)
    """How long the worker waits out an unreachable broker mid-batch before it fail-stops."""
    max_sources_per_tenant: int = Field(default=16, ge=1)
    """Distinct ``source`` label values per tenant; further sources are exported as ``other``."""
    louvain_seconds: float = Field(default=60.0, gt=0)
    knowledge_seconds: float = Field(default=10.0, gt=0)
    top_k: int = Field(default=20, ge=1)

    ingest_token: SecretStr | None = None
    ingest_max_bytes: int = Field(default=1_048_576, ge=1)
    ingest_max_records: int = Field(default=1000, ge=1)

    token: SecretStr | None = None
    """The bearer token the CLI sends to a worker (``orgpulse snapshot``)."""
    tokens_file: Path | None = None
    """Bearer tokens (SHA-256 only); default ``<data_dir>/tokens.json``."""
    webhook_secrets_file: Path | None = None
    """Per-tenant GitHub and Slack secrets; default ``<data_dir>/webhook-secrets.json``."""

    checkpoint_events: int = Field(default=200_000, ge=1)
    """Events applied to a tenant between two checkpoints of its state (a restart loads the
    newest and replays the deltas after it; without a pseudonym key there are none)."""
    store: Literal["rocksdb", "memory"] = "rocksdb"
    """Where the worker keeps its deltas: RocksDB under ``data_dir`` (a restart reads only
    the changelog written since), or memory (a restart reads the whole changelog)."""

    web_host: str = "127.0.0.1"
    web_port: int = 6066
    data_dir: Path = Path(".orgpulse")

    @field_validator("windows")
    @classmethod
    def _windows_are_durations(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for window in value:
            parse_duration(window)
        return value

    def to_env(self) -> dict[str, str]:
        """``ORGPULSE_*`` variables that make another process load these settings."""
        env = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            text = json.dumps(list(value)) if isinstance(value, tuple) else str(value)
            env[f"ORGPULSE_{name.upper()}"] = text
        return env

    def window_seconds(self, window: str) -> int:
        """Length of a configured window in seconds."""
        if window not in self.windows:
            raise ValueError(f"unknown window {window!r}; configured: {', '.join(self.windows)}")
        return parse_duration(window)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
