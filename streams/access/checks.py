"""The rules every secret must meet, and the error orgpulse refuses to start with."""

from __future__ import annotations

MIN_SECRET_BYTES = 16
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class AccessError(ValueError):
    """An access file or secret that orgpulse refuses to run with; the message says why."""


def check_secret(name: str, value: str) -> str:
    """``value`` when it has at least 16 bytes; otherwise :class:`AccessError` naming it.

    >>> check_secret("X", "0123456789abcdef")
    '0123456789abcdef'
    """
    size = len(value.encode())
    if size < MIN_SECRET_BYTES:
        raise AccessError(
            f"{name} is {'empty' if not size else f'only {size} bytes'}: use at least "
            f"{MIN_SECRET_BYTES} bytes of random text, e.g. from {MAKE_SECRET}"
        )
    return value
