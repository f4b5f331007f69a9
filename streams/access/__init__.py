"""Who may read and write what: bearer tokens per scope and tenant, webhook secrets per tenant.

Pure logic and files only (no HTTP): :mod:`streams.web.auth` applies it to requests.
"""

from streams.access.authorize import Denial, authorize, bearer
from streams.access.checks import MIN_SECRET_BYTES, AccessError, check_secret
from streams.access.files import Watched
from streams.access.tokens import (
    SCOPES,
    Scope,
    TokenRecord,
    add_token,
    digest,
    find,
    kept_token,
    parse_tokens,
    read_tokens,
    revoke_token,
    shorthand,
    tokens_path,
)
from streams.access.webhook_secrets import (
    Provider,
    SecretsFile,
    new_secret,
    parse_secrets,
    read_secrets,
    secret_for,
    set_secret,
    webhook_secrets_path,
)

__all__ = [
    "MIN_SECRET_BYTES",
    "SCOPES",
    "AccessError",
    "Denial",
    "Provider",
    "Scope",
    "SecretsFile",
    "TokenRecord",
    "Watched",
    "add_token",
    "authorize",
    "bearer",
    "check_secret",
    "digest",
    "find",
    "kept_token",
    "new_secret",
    "parse_secrets",
    "parse_tokens",
    "read_secrets",
    "read_tokens",
    "revoke_token",
    "secret_for",
    "set_secret",
    "shorthand",
    "tokens_path",
    "webhook_secrets_path",
]
