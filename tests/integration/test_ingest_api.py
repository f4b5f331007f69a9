"""``POST /api/v1/events`` on a real worker and broker: auth, limits, per-record results."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.events import topic_events
from support.worker import WorkerProcess

from streams.connectors.pseudonym import EVENT_NAMESPACE, Pseudonymizer
from streams.kafka.topic_reader import read_to_end
from streams.settings import Settings


@pytest.fixture
def api(pipeline: Settings) -> Any:
    settings = pipeline.model_copy(update={"ingest_max_bytes": 20_000, "ingest_max_records": 50})
    worker = WorkerProcess(settings)
    worker.start()
    yield worker
    worker.stop()


def post(
    worker: WorkerProcess,
    body: bytes,
    token: str | None = None,
    content_type: str = "application/json",
) -> tuple[int, dict[str, Any]]:
    """POST to the ingest endpoint with ``token`` (default: the worker's all-scopes token)."""
    return worker.post("/api/v1/events", body, worker.auth(token), content_type=content_type)


def event(index: int, **changes: Any) -> dict[str, Any]:
    return {
        "event_id": f"http-{index}",
        "tenant": "acme",
        "source": "custom",
        "kind": "message",
        "occurred_at": "2026-09-01T10:00:00Z",
        "actor": "alice@example.com",
        "targets": ["bob@example.com"],
        **changes,
    }


def test_auth_is_required(api: WorkerProcess) -> None:
    body = json.dumps([event(1)]).encode()
    assert api.post("/api/v1/events", body, authorized=False)[0] == 401
    assert post(api, body, token="wrong")[0] == 401
    assert post(api, body, token=api.token + "x")[0] == 401
    assert list(read_to_end(api.settings.bootstrap, api.settings.topic_interactions)) == []


def test_limits(api: WorkerProcess) -> None:
    assert post(api, b"[" + b" " * 30_000 + b"]")[0] == 413
    assert post(api, json.dumps([event(i) for i in range(51)]).encode())[0] == 413
    assert post(api, b"{not json")[0] == 400


def test_mixed_batch_answers_per_record_and_accepted_ones_are_in_kafka(api: WorkerProcess) -> None:
    batch = [
        event(1),
        event(2, kind="gossip"),
        event(3, occurred_at=1788256800000),
        event(4, actor=""),
        "not an object",
        event(5, targets=["x"] * 1001),
    ]
    status, answer = post(api, json.dumps(batch).encode())
    assert status == 207
    by_index = {r["index"]: r for r in answer["results"]}
    assert [by_index[i]["status"] for i in range(6)] == [
        "accepted",
        "rejected",
        "accepted",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert (by_index[1]["field"], by_index[3]["field"]) == ("kind", "actor")
    assert [by_index[i]["event_id"] for i in (0, 2)] == ["http-1", "http-3"]  # the client's ids
    assert by_index[5]["reason"] == "too_many_targets"
    assert (answer["accepted"], answer["rejected"]) == (2, 4)
    on_topic = topic_events(api.settings)
    assert api.settings.pseudonym_key is not None
    pseudonym = Pseudonymizer(api.settings.pseudonym_key.get_secret_value().encode())
    raw_ids = ("http-1", "http-3")
    expected = {pseudonym.namespaced(EVENT_NAMESPACE, "acme", raw) for raw in raw_ids}
    assert {e["event_id"] for e in on_topic} == expected
    assert all("example.com" not in e["actor"] + "".join(e["targets"]) for e in on_topic)
    api.wait_counted(2)


def test_ndjson_and_all_rejected(api: WorkerProcess) -> None:
    lines = "\n".join(json.dumps(event(i)) for i in range(10, 13)).encode()
    assert post(api, lines, content_type="application/x-ndjson")[0] == 200
    status, answer = post(api, json.dumps([event(20, weight=-1)]).encode())
    assert status == 422 and answer["results"][0]["reason"] == "bad_weight"


def test_openapi_document_describes_the_endpoint(api: WorkerProcess) -> None:
    document = json.loads(api.get("/api/v1/openapi.json"))
    operation = document["paths"]["/api/v1/events"]["post"]
    assert {"200", "207", "401", "413"} <= set(operation["responses"])
