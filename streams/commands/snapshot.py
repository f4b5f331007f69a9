"""``orgpulse snapshot``: a tenant's snapshot from a running worker's HTTP API."""

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


def fetch(base: str, tenant: str, window: str) -> dict[str, Any]:
    """GET the snapshot of ``tenant`` and ``window`` from the worker at ``base``."""
    query = urllib.parse.urlencode({"window": window})
    url = f"{base}/api/v1/tenants/{urllib.parse.quote(tenant)}/snapshot?{query}"
    with urllib.request.urlopen(url, timeout=10) as response:
        body: dict[str, Any] = json.load(response)
    return body


def run(args: argparse.Namespace) -> int:
    """Print the snapshot; exit 1 if the worker does not serve the tenant."""
    settings = get_settings()
    base = args.url or f"http://{settings.web_host}:{settings.web_port}"
    try:
        snapshot = fetch(base, args.tenant, args.window)
    except urllib.error.HTTPError as error:
        print(f"worker answered {error.code}: {error.read().decode(errors='replace')}")
        return 1
    print(json.dumps(snapshot, indent=2 if not args.json else None, sort_keys=True))
    return 0
