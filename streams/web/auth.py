"""Bearer tokens on the worker's endpoints: which token may call what (see streams.access).

The tokens file is re-read when it changes (one ``stat`` per request), so tokens added or
revoked with ``orgpulse tokens`` take effect on the next request, without a restart.
``ORGPULSE_INGEST_TOKEN``, when set, is one more token: ``ingest`` for every tenant.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from faust.web import Request, Response, View

from streams.access import (
    Denial,
    Scope,
    TokenRecord,
    Watched,
    authorize,
    parse_tokens,
    shorthand,
    tokens_path,
)
from streams.settings import Settings

log = logging.getLogger(__name__)
INGEST_TOKEN_VARIABLE = "ORGPULSE_INGEST_TOKEN"


class Gate:
    """Checks a request's ``Authorization: Bearer`` token against the tokens file."""

    def __init__(self, settings: Settings) -> None:
        self._file = Watched(tokens_path(settings), parse_tokens)
        self._extra: tuple[TokenRecord, ...] = ()
        if settings.ingest_token is not None:
            token = settings.ingest_token.get_secret_value()
            self._extra = (shorthand(INGEST_TOKEN_VARIABLE, token, datetime.now(UTC)),)

    def warn_when_empty(self) -> None:
        """Log once at start when no token at all is configured."""
        if not self._file.current() and not self._extra:
            log.warning(
                "no tokens in %s: every endpoint but /health answers 401 until "
                "`orgpulse tokens add` creates one",
                self._file.path,
            )

    def check(
        self, request: Request, scope: Scope | None, tenant: str | None = None
    ) -> TokenRecord | Denial:
        """The record of the request's token if it grants ``scope`` on ``tenant``."""
        records = (*self._file.current(), *self._extra)
        return authorize(records, request.headers.get("Authorization"), scope, tenant)


def refuse(view: View, denial: Denial) -> Response:
    """The 401 or 403 answer, with the ``WWW-Authenticate`` challenge RFC 6750 describes."""
    challenge = 'Bearer realm="orgpulse"'
    if denial.status == 403:
        challenge += ', error="insufficient_scope"'
    return view.json(
        {"error": denial.error}, status=denial.status, headers={"WWW-Authenticate": challenge}
    )
