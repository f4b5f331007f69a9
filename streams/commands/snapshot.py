"""``orgpulse snapshot``: a tenant's snapshot from a running worker's HTTP API.

Sends ``ORGPULSE_TOKEN`` as the bearer token (a ``read`` token covering the tenant).
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``snapshot`` command."""
    parser = subparsers.add_parser("snapshot", help="fetch a snapshot from a running worker")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--window", default="7d")
    parser.add_argument("--url", help="worker base URL (default: the configured web port)")
    parser.add_argument("--json", action="store_true", help="print the JSON as is")
    parser.set_defaults(func=run)


def get(url: str, token: str | None, timeout: float = 10.0) -> bytes:
    """GET ``url`` with ``Authorization: Bearer <token>`` (none without a token)."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
    return body


def fetch(base: str, tenant: str, window: str, token: str | None) -> dict[str, Any]:
    """GET the snapshot of ``tenant`` and ``window`` from the worker at ``base``."""
    query = urllib.parse.urlencode({"window": window})
    url = f"{base}/api/v1/tenants/{urllib.parse.quote(tenant)}/snapshot?{query}"
    body: dict[str, Any] = json.loads(get(url, token))
    return body


def run(args: argparse.Namespace) -> int:
    """Print the snapshot; exit 1 if the worker refuses or does not serve the tenant."""
    settings = get_settings()
    base = args.url or f"http://{settings.web_host}:{settings.web_port}"
    token = None if settings.token is None else settings.token.get_secret_value()
    try:
        snapshot = fetch(base, args.tenant, args.window, token)
    except urllib.error.HTTPError as error:
        hint = (
            " (set ORGPULSE_TOKEN to a read token of the tenant)"
            if error.code in (401, 403)
            else ""
        )
        print(f"worker answered {error.code}: {error.read().decode(errors='replace')}{hint}")
        return 1
    print(json.dumps(snapshot, indent=2 if not args.json else None, sort_keys=True))
    return 0
