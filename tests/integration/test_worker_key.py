"""The worker and the pseudonym key: without one it runs and serves reads, with HTTP ingest at
503 (webhooks too, once a delivery's signature checks out); a key that is set but refused
stops it at start with the how-to."""

from __future__ import annotations

import pytest
from support.cli import orgpulse
from support.hermetic import KEY_VARIABLE
from support.worker import WorkerProcess

from streams.settings import Settings

EVENT = b'[{"event_id": "e1", "tenant": "acme", "source": "x", "kind": "message",'
EVENT += b' "occurred_at": 1709283600000, "actor": "a@x.test", "targets": ["b@x.test"]}]'


def test_without_a_key_ingest_and_webhooks_answer_503(
    pipeline: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_VARIABLE)
    worker = WorkerProcess(pipeline.model_copy(update={"pseudonym_key": None}))
    worker.start()
    try:
        status, body = worker.post("/api/v1/events", EVENT)
        assert status == 503, body
        assert KEY_VARIABLE in body["error"] and "token_urlsafe" in body["error"]
        assert b"orgpulse_" in worker.get("/metrics")  # reads work without a key
    finally:
        worker.stop()


@pytest.mark.parametrize("key", ["orgpulse-development-key", "too-short", ""])
def test_a_refused_key_stops_the_worker_at_start(pipeline: Settings, key: str) -> None:
    result = orgpulse("worker", env={**pipeline.to_env(), KEY_VARIABLE: key})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "pseudonym key" in result.stderr and "token_urlsafe" in result.stderr
