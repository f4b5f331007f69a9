"""Bearer tokens on a real worker: 401/403 per endpoint and scope, tenant-limited metrics and
ingest, revocation without restart, the ORGPULSE_INGEST_TOKEN shorthand, refused secrets."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from confluent_kafka import Producer
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from support.cli import orgpulse
from support.worker import Answer, WorkerProcess, wait_for

from streams.access import SCOPES, Scope, add_token, tokens_path, webhook_secrets_path
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction
from streams.settings import Settings
from streams.timeutil import parse_time

AT = parse_time("2026-09-01T10:00:00Z")
ENDPOINTS: tuple[tuple[str, Scope | None, bool], ...] = (
    ("/metrics", "metrics", False),
    ("/api/v1/tenants/acme/snapshot?window=7d", "read", True),
    ("/api/v1/tenants/acme/knowledge", "read", True),
    ("/api/v1/events", "ingest", False),
    ("/api/v1/openapi.json", None, False),
)
"""(path, the scope it needs (None: any valid token), whether it reads tenant acme)."""


def record(tenant: str, index: int) -> dict[str, object]:
    """One valid ingest record of ``tenant``."""
    return {
        "event_id": f"{tenant}-{index}",
        "tenant": tenant,
        "source": "custom",
        "kind": "message",
        "occurred_at": AT,
        "actor": f"{tenant}-a",
        "targets": [f"{tenant}-b"],
    }


def new_token(worker: WorkerProcess, scopes: Sequence[Scope], tenants: Sequence[str] = ()) -> str:
    """A token added to the running worker's tokens file (``tenants`` empty: all)."""
    return add_token(tokens_path(worker.settings), tenants, scopes)[1]


def call(worker: WorkerProcess, path: str, authorization: str | None) -> Answer:
    """The endpoint's answer to a request with this ``Authorization`` header (or none)."""
    body = json.dumps([record("acme", 0)]).encode() if path == "/api/v1/events" else None
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return worker.send(path, body, headers)


def test_every_endpoint_needs_a_token_of_its_scope_and_tenant(worker: WorkerProcess) -> None:
    tokens = {scope: new_token(worker, [scope], ["acme"]) for scope in SCOPES}
    beta = {scope: new_token(worker, [scope], ["beta"]) for scope in SCOPES}
    for path, needed, reads_acme in ENDPOINTS:
        for header in (None, "", "Bearer", "Bearer ", "Bearer nope", f"Basic {tokens['read']}"):
            answer = call(worker, path, header)
            assert answer.status == 401, (path, header)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer"), path
        for scope in SCOPES:
            own = call(worker, path, f"Bearer {tokens[scope]}").status
            foreign = call(worker, path, f"Bearer {beta[scope]}").status
            if needed is not None and scope != needed:
                assert (own, foreign) == (403, 403), (path, scope)
            else:
                assert own not in (401, 403), (path, scope, own)
                assert (foreign == 403) is reads_acme, (path, scope, foreign)
    assert worker.send("/health").status == 200


def test_ingest_rejects_the_records_of_tenants_the_token_does_not_cover(
    worker: WorkerProcess,
) -> None:
    acme_only = new_token(worker, ["ingest"], ["acme"])
    batch = [record("acme", 1), record("beta", 2), record("acme", 3)]
    status, answer = worker.post(
        "/api/v1/events", json.dumps(batch).encode(), worker.auth(acme_only)
    )
    assert (status, answer["accepted"], answer["rejected"]) == (207, 2, 1)
    (refused,) = [r for r in answer["results"] if r["status"] == "rejected"]
    assert (refused["index"], refused["reason"], refused["field"]) == (
        1,
        "tenant_not_allowed",
        "tenant",
    )
    worker.wait_counted(2)
    assert worker.counter_by("orgpulse_events_processed_total", "tenant") == {"acme": 2.0}


def series(exposition: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every sample's name and labels in a text exposition."""
    return {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def test_a_metrics_token_of_some_tenants_sees_only_their_series(worker: WorkerProcess) -> None:
    """Three tenants and a dead letter (a series without tenant); a token of two tenants."""
    with Emitter(worker.settings) as emitter:
        for tenant in ("acme", "beta", "gamma"):
            for index in range(3):
                emitter.emit(
                    RawInteraction(f"{tenant}-{index}", tenant, "t", "message", AT, "a", ["b"])
                )
    producer = Producer({"bootstrap.servers": worker.settings.bootstrap})
    producer.produce(worker.settings.topic_interactions, key=b"acme", value=b"not avro")
    producer.flush(30)
    worker.wait_counted(10)
    everything = series(worker.get("/metrics").decode())
    limited_token = new_token(worker, ["metrics"], ["acme", "gamma"])
    limited = call(worker, "/metrics", f"Bearer {limited_token}")
    assert limited.status == 200
    visible = series(limited.body.decode())
    tenants_everywhere = {dict(labels).get("tenant") for _, labels in everything}
    assert {"acme", "beta", "gamma", None} <= tenants_everywhere
    expected = {
        (n, ls) for n, ls in everything if dict(ls).get("tenant") in (None, "acme", "gamma")
    }
    assert visible == expected
    assert any("tenant" not in dict(labels) for _, labels in visible)


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``orgpulse ARGS`` with the worker's tokens and secrets files."""
    files = {
        "ORGPULSE_TOKENS_FILE": str(tokens_path(settings)),
        "ORGPULSE_WEBHOOK_SECRETS_FILE": str(webhook_secrets_path(settings)),
    }
    return orgpulse(*args, env=files)


def test_tokens_added_and_revoked_with_the_cli_apply_to_the_running_worker(
    worker: WorkerProcess,
) -> None:
    added = run_cli(worker.settings, "tokens", "add", "--all-tenants", "--scope", "metrics")
    assert added.returncode == 0, added.stderr
    token = added.stdout.splitlines()[-1]
    wait_for(lambda: call(worker, "/metrics", f"Bearer {token}").status == 200, 3, "token valid")
    (line,) = [
        line
        for line in run_cli(worker.settings, "tokens", "list").stdout.splitlines()
        if "scopes=metrics" in line
    ]
    token_id = line.split()[0]
    assert run_cli(worker.settings, "tokens", "revoke", token_id).returncode == 0
    revoked_at = time.monotonic()
    wait_for(lambda: call(worker, "/metrics", f"Bearer {token}").status == 401, 5, "revoked")
    assert time.monotonic() - revoked_at < 5
    assert call(worker, "/metrics", f"Bearer {worker.token}").status == 200


def test_ingest_token_variable_is_an_ingest_token_of_every_tenant(pipeline: Settings) -> None:
    shorthand = "an-ingest-token-of-24-bytes"
    worker = WorkerProcess(pipeline.model_copy(update={"ingest_token": SecretStr(shorthand)}))
    worker.start()
    try:
        batch = json.dumps([record("acme", 1), record("beta", 2)]).encode()
        status, answer = worker.post("/api/v1/events", batch, worker.auth(shorthand))
        assert (status, answer["accepted"]) == (200, 2)
        assert call(worker, "/metrics", f"Bearer {shorthand}").status == 403
        assert call(worker, "/api/v1/tenants/acme/snapshot", f"Bearer {shorthand}").status == 403
    finally:
        worker.stop()


def refusal(settings: Settings, **environment: str) -> subprocess.CompletedProcess[str]:
    """``orgpulse worker`` with these settings and variables, expected to stop at once."""
    return orgpulse("worker", env={**settings.to_env(), **environment}, timeout=90)


def test_short_or_empty_secrets_stop_the_worker_at_start(
    pipeline: Settings, tmp_path: Path
) -> None:
    for value, said in (("", "empty"), ("short-token", "only 11 bytes")):
        result = refusal(pipeline, ORGPULSE_INGEST_TOKEN=value)
        assert result.returncode == 2, result.stderr[-2000:]
        assert "ORGPULSE_INGEST_TOKEN" in result.stderr and said in result.stderr
    secrets_file = tmp_path / "webhook-secrets.json"
    secrets_file.write_text(json.dumps({"tenants": {"acme": {"github": "short"}}}))
    result = refusal(pipeline, ORGPULSE_WEBHOOK_SECRETS_FILE=str(secrets_file))
    assert result.returncode == 2 and "16" in result.stderr, result.stderr[-2000:]
