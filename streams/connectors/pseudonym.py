"""Keyed pseudonymization of person ids (HMAC-SHA256), applied before anything reaches Kafka."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "p_"
SEPARATOR = "\x1f"
CHANNEL_NAMESPACE = "channel"
DIGEST_CHARS = 32


class Pseudonymizer:
    """Maps raw identifiers to stable pseudonyms: same key, tenant and id give the same pseudonym.

    pseudonym = ``p_`` + the first 32 hex digits of HMAC-SHA256(key, tenant ␟ raw id). The
    tenant is part of the message, so the same person in two tenants is not linkable.
    """

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("pseudonym key must not be empty")
        self._key = key
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, tenant: str, raw_id: str) -> str:
        """The pseudonym of person ``raw_id`` within ``tenant``."""
        cached = self._cache.get((tenant, raw_id))
        if cached is None:
            message = f"{tenant}{SEPARATOR}{raw_id}".encode()
            digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
            cached = PREFIX + digest[:DIGEST_CHARS]
            if len(self._cache) < 1_000_000:
                self._cache[(tenant, raw_id)] = cached
        return cached

    def channel(self, tenant: str, raw_channel: str) -> str:
        """The pseudonym of a channel name, in its own namespace (never equal to a person's)."""
        return self(tenant, f"{CHANNEL_NAMESPACE}{SEPARATOR}{raw_channel}")
