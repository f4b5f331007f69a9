"""Deciding whether a request's bearer token covers its scope and tenant (no HTTP here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from streams.access.tokens import Scope, TokenRecord, find


@dataclass(frozen=True)
class Denial:
    """Why a request is refused: ``status`` 401 (no valid token) or 403 (not covered)."""

    status: int
    error: str


MISSING = Denial(401, "missing or unknown bearer token")


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; ``None`` when absent or empty.

    >>> bearer("Bearer abc"), bearer("bearer  abc "), bearer("Bearer "), bearer("Basic abc")
    ('abc', 'abc', None, None)
    """
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authorize(
    records: Iterable[TokenRecord], header: str | None, scope: Scope | None, tenant: str | None
) -> TokenRecord | Denial:
    """The token record granting ``scope`` (``None``: any) on ``tenant`` (``None``: any)."""
    token = bearer(header)
    record = None if token is None else find(records, token)
    if record is None:
        return MISSING
    if scope is not None and scope not in record.scopes:
        return Denial(403, f"token lacks the {scope!r} scope")
    if tenant is not None and not record.covers(tenant):
        return Denial(403, "token does not cover this tenant")
    return record
