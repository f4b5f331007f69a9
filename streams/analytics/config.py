"""Analytics parameters, a plain serializable subset of :class:`streams.settings.Settings`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from streams.settings import Settings, parse_duration


@dataclass(frozen=True)
class AnalyticsConfig:
    """Bucket size, windows, broadcast limit, reporting threshold, silo and feedback rules.

    ``bots`` are pseudonymous ids whose events never count as responses (besides people
    the directory flags as bots); ``response_grace_seconds`` is how long, in event time, a
    possible response is held for a request that has not arrived yet.
    """

    bucket_seconds: int = 3600
    windows: tuple[str, ...] = ("1d", "7d", "28d")
    max_targets: int = 50
    min_group_size: int = 5
    silo_window: str = "7d"
    silo_enter_ei: float = -0.6
    silo_exit_ei: float = -0.4
    silo_consecutive: int = 3
    response_horizon_seconds: int = 14 * 86400
    response_grace_seconds: int = 86400
    bots: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for window in self.windows:
            if parse_duration(window) % self.bucket_seconds:
                raise ValueError(f"window {window} is not a multiple of the bucket size")
        if self.silo_window not in self.windows:
            raise ValueError(f"silo window {self.silo_window} is not a configured window")
        if self.silo_enter_ei > self.silo_exit_ei:
            raise ValueError("silo_enter_ei must not exceed silo_exit_ei")
        if self.response_horizon_seconds <= 0 or self.response_grace_seconds < 0:
            raise ValueError("the response horizon must be positive and the grace not negative")

    @classmethod
    def from_settings(cls, settings: Settings) -> AnalyticsConfig:
        """The analytics parameters of the process settings."""
        fields = cls.__dataclass_fields__
        return cls(**{name: getattr(settings, name) for name in fields})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnalyticsConfig:
        """Inverse of :meth:`to_dict`."""
        return cls(
            **{**data, "windows": tuple(data["windows"]), "bots": tuple(data.get("bots", ()))}
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {**asdict(self), "windows": list(self.windows), "bots": list(self.bots)}

    @property
    def bucket_ms(self) -> int:
        """Bucket size g in milliseconds."""
        return self.bucket_seconds * 1000

    def spans(self) -> dict[str, int]:
        """Window name → number of buckets it covers."""
        return {w: parse_duration(w) // self.bucket_seconds for w in self.windows}
