"""Per-tenant webhook secrets: GitHub's webhook secret and Slack's signing secret.

The file (``ORGPULSE_WEBHOOK_SECRETS_FILE``, default ``<data dir>/webhook-secrets.json``,
mode 0600) is ``{"tenants": {"<tenant>": {"github": "…", "slack": "…"}}}``. The receivers need
the secrets themselves (they compute HMACs), so unlike tokens they are stored as they are.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streams.access.checks import MIN_SECRET_BYTES, AccessError, check_secret
from streams.access.files import read_text, write_private
from streams.local.locking import exclusive
from streams.settings import Settings

Provider = Literal["github", "slack"]


def webhook_secrets_path(settings: Settings) -> Path:
    """``ORGPULSE_WEBHOOK_SECRETS_FILE``, or ``webhook-secrets.json`` in the data dir."""
    return settings.webhook_secrets_file or settings.data_dir / "webhook-secrets.json"


class TenantSecrets(BaseModel):
    """One tenant's secrets; a receiver without its secret refuses every delivery."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    github: str | None = Field(default=None, min_length=MIN_SECRET_BYTES)
    slack: str | None = Field(default=None, min_length=MIN_SECRET_BYTES)


class SecretsFile(BaseModel):
    """The content of the webhook secrets file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenants: dict[str, TenantSecrets] = {}


def parse_secrets(text: str | None) -> SecretsFile:
    """The secrets of a file's text (none when the file is missing)."""
    if text is None:
        return SecretsFile()
    try:
        return SecretsFile.model_validate_json(text)
    except ValidationError as error:
        raise AccessError(
            f"invalid webhook secrets file (each secret needs {MIN_SECRET_BYTES}+ bytes): {error}"
        ) from error


def read_secrets(path: Path) -> SecretsFile:
    """The secrets in the file at ``path``."""
    return parse_secrets(read_text(path))


def secret_for(secrets_file: SecretsFile, tenant: str, provider: Provider) -> bytes | None:
    """The secret of ``provider`` for ``tenant``, ``None`` when none is set."""
    tenant_secrets = secrets_file.tenants.get(tenant)
    value = None if tenant_secrets is None else getattr(tenant_secrets, provider)
    return None if value is None else value.encode()


def new_secret() -> str:
    """A random secret to paste into the provider's webhook settings."""
    return secrets.token_urlsafe(32)


def set_secret(path: Path, tenant: str, provider: Provider, secret: str) -> None:
    """Store ``secret`` as ``tenant``'s ``provider`` secret (replacing an older one)."""
    check_secret(f"the {provider} secret", secret)
    with exclusive(path.with_name(path.name + ".lock")):
        current = read_secrets(path)
        tenant_secrets = current.tenants.get(tenant, TenantSecrets())
        updated = tenant_secrets.model_copy(update={provider: secret})
        content = SecretsFile(tenants={**current.tenants, tenant: updated})
        write_private(path, content.model_dump_json(indent=2, exclude_none=True) + "\n")
