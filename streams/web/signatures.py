"""Webhook signature checks: GitHub ``X-Hub-Signature-256`` and Slack v0 signing secrets."""

from __future__ import annotations

import hashlib
import hmac

SLACK_REPLAY_WINDOW_SECONDS = 300


def github_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=`` + the hex HMAC-SHA256 of ``body`` under ``secret``."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :], expected)


def slack_problem(
    secret: bytes,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float,
    window: int = SLACK_REPLAY_WINDOW_SECONDS,
) -> str | None:
    """Why a Slack request fails verification (``None`` when it passes).

    The signature is ``v0=`` + hex HMAC-SHA256 of ``v0:<timestamp>:<body>``; requests whose
    timestamp is more than ``window`` seconds away from ``now`` are replays.
    """
    if not timestamp or not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        return "missing signature headers"
    if abs(now - int(timestamp)) > window:
        return "stale timestamp"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(signature, expected) else "bad signature"
