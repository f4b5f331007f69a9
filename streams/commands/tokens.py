"""``orgpulse tokens add|list|revoke``: bearer tokens for the worker's HTTP API."""

from __future__ import annotations

import argparse
from typing import Any

from streams.access import SCOPES, TokenRecord, add_token, read_tokens, revoke_token, tokens_path
from streams.settings import get_settings


def register(subparsers: Any) -> None:
    """Add the ``tokens`` command."""
    parser = subparsers.add_parser("tokens", help="create, list or revoke API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a token; printed once, on the last line")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--tenant", action="append", help="a tenant the token covers (repeatable)")
    who.add_argument("--all-tenants", action="store_true", help="cover every tenant")
    add.add_argument("--scope", action="append", required=True, choices=SCOPES)
    add.set_defaults(func=run_add)
    actions.add_parser("list", help="ids, tenants, scopes, creation").set_defaults(func=run_list)
    revoke = actions.add_parser("revoke", help="remove a token (a running worker stops taking it)")
    revoke.add_argument("id")
    revoke.set_defaults(func=run_revoke)


def describe(record: TokenRecord) -> str:
    """One line about a token: id, tenants, scopes and creation (never the token or hash)."""
    tenants = "*" if record.all_tenants else ",".join(record.tenants)
    created = record.created.isoformat().replace("+00:00", "Z")
    return f"{record.id}  tenants={tenants}  scopes={','.join(record.scopes)}  created={created}"


def run_add(args: argparse.Namespace) -> int:
    """Create the token and print it, alone, on the last line."""
    path = tokens_path(get_settings())
    record, token = add_token(path, [] if args.all_tenants else args.tenant, args.scope)
    print(f"added {describe(record)} to {path}")
    print("the token is shown only now; send it as `Authorization: Bearer <token>`:")
    print(token)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print one line per token."""
    for record in read_tokens(tokens_path(get_settings())):
        print(describe(record))
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    """Remove the token; exit 1 when there is no token with that id."""
    path = tokens_path(get_settings())
    if not revoke_token(path, args.id):
        print(f"no token {args.id!r} in {path}")
        return 1
    print(f"revoked {args.id}; a running worker refuses it within a second")
    return 0
