"""Bearer tokens: the tokens file, which stores only each token's SHA-256.

The file (``ORGPULSE_TOKENS_FILE``, default ``<data dir>/tokens.json``, mode 0600) is
``{"tokens": [{"id", "sha256", "tenants", "all_tenants", "scopes", "created"}, …]}``. A token
grants its scopes for its tenants (or for every tenant). Scopes: ``read`` (snapshot and
knowledge), ``ingest`` (``POST /api/v1/events``), ``metrics`` (``/metrics``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from streams.access.checks import AccessError, check_secret
from streams.access.files import read_text, write_private
from streams.local.locking import exclusive
from streams.settings import Settings

Scope = Literal["read", "ingest", "metrics"]
SCOPES: tuple[Scope, ...] = ("read", "ingest", "metrics")
TOKEN_BYTES = 32
"""Entropy of a new token (it is printed as 43 URL-safe base64 characters)."""


def tokens_path(settings: Settings) -> Path:
    """``ORGPULSE_TOKENS_FILE``, or ``tokens.json`` in the data dir."""
    return settings.tokens_file or settings.data_dir / "tokens.json"


def digest(token: str) -> str:
    """The hex SHA-256 of a token, as the tokens file stores it.

    >>> digest("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRecord(BaseModel):
    """One token as stored: never the token itself, only its hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    tenants: tuple[str, ...] = ()
    all_tenants: bool = False
    scopes: tuple[Scope, ...] = Field(min_length=1)
    created: datetime

    @model_validator(mode="after")
    def _tenants_or_all(self) -> Self:
        if self.all_tenants == bool(self.tenants):
            raise ValueError("a token has either tenants or all_tenants")
        return self

    def covers(self, tenant: str) -> bool:
        """Whether the token is valid for ``tenant``."""
        return self.all_tenants or tenant in self.tenants


class TokenFile(BaseModel):
    """The content of the tokens file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tokens: tuple[TokenRecord, ...] = ()


def parse_tokens(text: str | None) -> tuple[TokenRecord, ...]:
    """The records of a tokens file's text (none when the file is missing)."""
    if text is None:
        return ()
    try:
        return TokenFile.model_validate_json(text).tokens
    except ValidationError as error:
        raise AccessError(f"invalid tokens file: {error}") from error


def read_tokens(path: Path) -> tuple[TokenRecord, ...]:
    """The records in the tokens file at ``path``."""
    return parse_tokens(read_text(path))


def _write(path: Path, tokens: Iterable[TokenRecord]) -> None:
    write_private(path, TokenFile(tokens=tuple(tokens)).model_dump_json(indent=2) + "\n")


def _new_id(taken: set[str]) -> str:
    while (token_id := secrets.token_hex(4)) in taken:
        pass
    return token_id


def add_token(
    path: Path, tenants: Sequence[str], scopes: Sequence[Scope]
) -> tuple[TokenRecord, str]:
    """Create a token for ``tenants`` (empty: every tenant); its record and the token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with exclusive(path.with_name(path.name + ".lock")):
        existing = read_tokens(path)
        record = TokenRecord(
            id=_new_id({record.id for record in existing}),
            sha256=digest(token),
            tenants=tuple(dict.fromkeys(tenants)),
            all_tenants=not tenants,
            scopes=tuple(s for s in SCOPES if s in scopes),
            created=datetime.now(UTC).replace(microsecond=0),
        )
        _write(path, (*existing, record))
    return record, token


def kept_token(
    path: Path, token_file: Path, tenants: Sequence[str], scopes: Sequence[Scope]
) -> str:
    """The token kept in ``token_file`` (mode 0600), made anew unless the tokens file at
    ``path`` still has it for exactly these ``tenants`` (empty: all) and ``scopes``."""
    wanted = (tuple(dict.fromkeys(tenants)), tuple(s for s in SCOPES if s in scopes))
    kept = read_text(token_file)
    record = None if kept is None else find(read_tokens(path), kept.strip())
    if kept is not None and record is not None and (record.tenants, record.scopes) == wanted:
        return kept.strip()
    token = add_token(path, tenants, scopes)[1]
    write_private(token_file, token + "\n")
    return token


def revoke_token(path: Path, token_id: str) -> bool:
    """Remove the token ``token_id``; whether it was there."""
    with exclusive(path.with_name(path.name + ".lock")):
        existing = read_tokens(path)
        kept = [record for record in existing if record.id != token_id]
        if len(kept) == len(existing):
            return False
        _write(path, kept)
    return True


def shorthand(name: str, token: str, created: datetime) -> TokenRecord:
    """The ingest token of every tenant that the variable ``name`` holds (16+ bytes)."""
    return TokenRecord(
        id=name,
        sha256=digest(check_secret(name, token)),
        all_tenants=True,
        scopes=("ingest",),
        created=created,
    )


def find(records: Iterable[TokenRecord], token: str) -> TokenRecord | None:
    """The record of ``token``; every hash is compared, each in constant time."""
    presented = digest(token).encode()
    found = None
    for record in records:
        if hmac.compare_digest(record.sha256.encode(), presented):
            found = record
    return found
