"""``orgpulse webhooks set-secret|list``: per-tenant GitHub and Slack webhook secrets."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from streams.access import (
    AccessError,
    new_secret,
    read_secrets,
    set_secret,
    webhook_secrets_path,
)
from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``webhooks`` command."""
    parser = subparsers.add_parser("webhooks", help="per-tenant webhook secrets")
    actions = parser.add_subparsers(dest="action", required=True)
    setter = actions.add_parser(
        "set-secret", help="set a tenant's secret, read from stdin (never from the command line)"
    )
    setter.add_argument("--tenant", required=True)
    provider = setter.add_mutually_exclusive_group(required=True)
    provider.add_argument("--github", dest="provider", action="store_const", const="github")
    provider.add_argument("--slack", dest="provider", action="store_const", const="slack")
    setter.add_argument(
        "--generate",
        action="store_true",
        help="GitHub: make a random secret and print it once (paste it into the webhook)",
    )
    setter.set_defaults(func=run_set)
    actions.add_parser("list", help="which tenants have which secrets").set_defaults(func=run_list)


def _read_secret(provider: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(f"{provider} secret: ")
    return sys.stdin.readline().strip()


def run_set(args: argparse.Namespace) -> int:
    """Store the secret; a generated one is printed alone on the last line."""
    if args.generate and args.provider != "github":
        print("Slack issues the signing secret: pipe it in instead of --generate")
        return 2
    secret = new_secret() if args.generate else _read_secret(args.provider)
    path = webhook_secrets_path(get_settings())
    try:
        set_secret(path, args.tenant, args.provider, secret)
    except AccessError as error:
        print(f"refused: {error}")
        return 2
    print(f"set the {args.provider} secret of tenant {args.tenant} in {path}")
    if args.generate:
        print("the secret is shown only now; paste it into the GitHub webhook's Secret field:")
        print(secret)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print each tenant with the providers it has a secret for."""
    secrets_file = read_secrets(webhook_secrets_path(get_settings()))
    for tenant, secrets in sorted(secrets_file.tenants.items()):
        providers = [name for name in ("github", "slack") if getattr(secrets, name) is not None]
        print(f"{tenant}  {','.join(providers)}")
    return 0
