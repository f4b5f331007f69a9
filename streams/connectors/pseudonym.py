"""Keyed pseudonymization of every identifier (HMAC-SHA256), applied before Kafka."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

PREFIX = "p_"
SEPARATOR = "\x1f"
CHANNEL_NAMESPACE = "channel"
EVENT_NAMESPACE = "event"
"""``event_id``, ``in_reply_to`` and event ids in attributes: one namespace, so replies pair."""
THREAD_NAMESPACE = "thread"
ARTIFACT_NAMESPACE = "artifact"
DIGEST_CHARS = 32

MIN_KEY_BYTES = 32
PUBLIC_KEY = "orgpulse-development-key"
"""The built-in key of earlier versions: it is in the public source, so it is refused."""
MAKE_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
KEY_HELP = (
    f"set ORGPULSE_PSEUDONYM_KEY to a secret of at least {MIN_KEY_BYTES} bytes, the same on "
    f"every machine that produces records for a tenant; make one with: {MAKE_KEY}"
)
NO_KEY = f"no pseudonym key: {KEY_HELP}"


class PseudonymKeyError(ValueError):
    """The pseudonym key is missing, public or too short; the message says how to make one."""


def checked_key(secret: SecretStr | None) -> bytes:
    """The key bytes of ``secret``; raises :class:`PseudonymKeyError` unless it is usable.

    Usable: set, not the formerly built-in public key, and at least ``MIN_KEY_BYTES`` bytes
    (UTF-8). A key is never made up here: pseudonyms must stay stable across runs and machines.
    """
    key = b"" if secret is None else secret.get_secret_value().encode()
    if not key:
        raise PseudonymKeyError(NO_KEY)
    if key == PUBLIC_KEY.encode():
        raise PseudonymKeyError(
            f"the pseudonym key {PUBLIC_KEY!r} is public (anyone could reverse pseudonyms "
            f"with it): {KEY_HELP}"
        )
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(f"the pseudonym key has only {len(key)} bytes: {KEY_HELP}")
    return key


def stored_key(path: Path) -> SecretStr:
    """The key kept in ``path``: created once (random, mode 0600), read back on later calls."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SecretStr(path.read_text().strip())
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(MIN_KEY_BYTES) + "\n")
    return SecretStr(path.read_text().strip())


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

    def namespaced(self, namespace: str, tenant: str, raw_id: str) -> str:
        """The pseudonym of an id of another kind than a person: HMAC of tenant ␟ kind ␟ id.

        Person ids carry no kind, so ids of different kinds never share a pseudonym unless a
        person id itself starts with ``kind ␟`` (the unit separator is not in real ids).
        """
        return self(tenant, f"{namespace}{SEPARATOR}{raw_id}")

    def channel(self, tenant: str, raw_channel: str) -> str:
        """The pseudonym of a channel name, in its own namespace (never equal to a person's)."""
        return self.namespaced(CHANNEL_NAMESPACE, tenant, raw_channel)
