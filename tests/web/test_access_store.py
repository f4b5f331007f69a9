"""The token store and webhook secrets through the real CLI, and the pure access decisions."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from support.cli import orgpulse

from streams.access import (
    AccessError,
    Denial,
    TokenRecord,
    Watched,
    add_token,
    authorize,
    parse_tokens,
    read_secrets,
    read_tokens,
    secret_for,
)
from streams.web.scoped_metrics import TenantMetrics
from streams.web.webhooks import RecentDeliveries


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``orgpulse ARGS`` with its tokens and secrets files in ``tmp_path``."""
    files = {
        "ORGPULSE_TOKENS_FILE": str(tmp_path / "tokens.json"),
        "ORGPULSE_WEBHOOK_SECRETS_FILE": str(tmp_path / "webhook-secrets.json"),
    }
    return orgpulse(*args, env=files, stdin=stdin)


def test_tokens_add_prints_the_token_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    added = cli(tmp_path, "tokens", "add", "--tenant", "a", "--tenant", "b", "--scope", "read")
    assert added.returncode == 0, added.stderr
    token = added.stdout.splitlines()[-1]
    assert len(token) >= 43 and token.strip() == token and " " not in token
    assert added.stdout.count(token) == 1
    path = tmp_path / "tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert token not in text
    (stored,) = json.loads(text)["tokens"]
    assert stored["sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert (stored["tenants"], stored["scopes"], stored["all_tenants"]) == (
        ["a", "b"],
        ["read"],
        False,
    )
    listed = cli(tmp_path, "tokens", "list").stdout
    assert stored["id"] in listed and "tenants=a,b" in listed
    assert token not in listed and stored["sha256"] not in listed
    assert cli(tmp_path, "tokens", "revoke", stored["id"]).returncode == 0
    assert read_tokens(path) == ()
    assert cli(tmp_path, "tokens", "revoke", stored["id"]).returncode == 1


def test_tokens_add_needs_tenants_or_all_and_known_scopes(tmp_path: Path) -> None:
    assert cli(tmp_path, "tokens", "add", "--scope", "read").returncode == 2
    both = ("--tenant", "a", "--all-tenants", "--scope", "read")
    assert cli(tmp_path, "tokens", "add", *both).returncode == 2
    assert cli(tmp_path, "tokens", "add", "--all-tenants", "--scope", "admin").returncode == 2
    assert not (tmp_path / "tokens.json").exists()


def test_webhook_secrets_come_from_stdin_or_are_generated(tmp_path: Path) -> None:
    short = cli(tmp_path, "webhooks", "set-secret", "--tenant", "a", "--slack", stdin="tiny\n")
    assert short.returncode == 2 and "16 bytes" in short.stdout
    given = "slack-signing-secret-of-acme"
    assert (
        cli(tmp_path, "webhooks", "set-secret", "--tenant", "a", "--slack", stdin=given).returncode
        == 0
    )
    made = cli(tmp_path, "webhooks", "set-secret", "--tenant", "a", "--github", "--generate")
    generated = made.stdout.splitlines()[-1]
    path = tmp_path / "webhook-secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secrets_file = read_secrets(path)
    assert secret_for(secrets_file, "a", "slack") == given.encode()
    assert secret_for(secrets_file, "a", "github") == generated.encode() and len(generated) >= 43
    assert secret_for(secrets_file, "b", "github") is None
    assert cli(tmp_path, "webhooks", "list").stdout.split() == ["a", "github,slack"]


def test_decisions_for_missing_unknown_uncovered_and_covered_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    record, token = add_token(path, ["acme"], ["read"])
    records = read_tokens(path)
    assert authorize(records, f"Bearer {token}", "read", "acme") == record
    assert authorize(records, f"bearer {token}", None, None) == record
    for header in (None, "", "Bearer ", "Bearer x", token, f"Basic {token}"):
        assert authorize(records, header, "read", "acme") == Denial(
            401, "missing or unknown bearer token"
        )
    assert isinstance(denied := authorize(records, f"Bearer {token}", "read", "beta"), Denial)
    assert denied.status == 403
    assert isinstance(denied := authorize(records, f"Bearer {token}", "metrics", None), Denial)
    assert denied.status == 403


def test_the_tokens_file_is_reread_when_replaced_and_refused_when_invalid(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    watched: Watched[tuple[TokenRecord, ...]] = Watched(path, parse_tokens)
    assert watched.current() == ()
    first, _ = add_token(path, [], ["metrics"])
    assert watched.current() == (first,)
    path.write_text("{not json")
    assert watched.current() == ()
    with pytest.raises(AccessError):
        Watched(path, parse_tokens)


def test_tenant_metrics_keep_the_tenants_samples_and_the_tenant_free_ones() -> None:
    registry = CollectorRegistry()
    per_tenant = Counter("t_events", "e", ["tenant", "source"], registry=registry)
    overall = Counter("t_dead", "d", ["reason"], registry=registry)
    for tenant in ("acme", "beta", "gamma"):
        per_tenant.labels(tenant, "x").inc()
    overall.labels("bad").inc()
    everything = [
        (s.name, s.labels)
        for f in text_string_to_metric_families(generate_latest(registry).decode())
        for s in f.samples
    ]
    limited = [
        (s.name, s.labels)
        for f in text_string_to_metric_families(
            generate_latest(TenantMetrics(registry, frozenset({"acme", "gamma"}))).decode()
        )
        for s in f.samples
    ]
    assert limited == [(n, ls) for n, ls in everything if ls.get("tenant", "acme") != "beta"]
    assert ("t_dead_total", {"reason": "bad"}) in limited


def test_recent_deliveries_forget_the_oldest_beyond_capacity() -> None:
    seen = RecentDeliveries(capacity=3)
    for delivery in ("d1", "d2", "d3", "d4"):
        seen.add(("acme", delivery))
    assert ("acme", "d1") not in seen
    assert all(("acme", d) in seen for d in ("d2", "d3", "d4"))
    assert ("beta", "d4") not in seen
