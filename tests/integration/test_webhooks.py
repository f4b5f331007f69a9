"""Webhook receivers on a real worker and broker: per-tenant secrets, signatures, dedup."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from support.events import topic_events
from support.kafka import REPO
from support.worker import WorkerProcess, wait_for

from streams.access import set_secret, webhook_secrets_path
from streams.model import Interaction
from streams.settings import Settings

GITHUB_SECRET = "acme-gh-webhook-secret"
SLACK_SECRET = "acme-slack-signing-secret"
BETA_SECRET = "beta-webhook-secret-0123"
DELIVERIES = REPO / "tests" / "connectors" / "fixtures" / "github" / "deliveries.json"


@pytest.fixture
def hooks(pipeline: Settings) -> Iterator[WorkerProcess]:
    """A worker where tenant acme has GitHub and Slack secrets and tenant beta has none yet."""
    path = webhook_secrets_path(pipeline)
    set_secret(path, "acme", "github", GITHUB_SECRET)
    set_secret(path, "acme", "slack", SLACK_SECRET)
    worker = WorkerProcess(pipeline)
    worker.start()
    yield worker
    worker.stop()


def post(
    worker: WorkerProcess, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """POST a delivery without any bearer token (webhooks authenticate by signature)."""
    return worker.post(path, body, headers, authorized=False)


def on_topic(worker: WorkerProcess) -> list[Interaction]:
    return topic_events(worker.settings)


def github_headers(
    body: bytes, event: str, secret: str = GITHUB_SECRET, delivery: str | None = None
) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature-256": f"sha256={digest}",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
    }


def slack_headers(body: bytes, at: float, secret: str = SLACK_SECRET) -> dict[str, str]:
    stamp = str(int(at))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def delivery(index: int) -> tuple[str, bytes]:
    """The event type and body of fixture delivery ``index``."""
    item = json.loads(DELIVERIES.read_text())[index]
    return item["event"], json.dumps(item["payload"]).encode()


SLACK_MESSAGE = json.dumps(
    {
        "type": "event_callback",
        "event": {
            "type": "message",
            "channel": "C1",
            "user": "U1",
            "ts": "1767225600.000100",
            "text": "<@U2> can you review this? https://example.com/doc",
        },
    }
).encode()


def test_github_ping_valid_tampered_and_unsigned(hooks: WorkerProcess) -> None:
    ping = b'{"zen": "Keep it logically awesome."}'
    assert post(hooks, "/webhooks/github/acme", ping, github_headers(ping, "ping")) == (
        200,
        {"pong": True},
    )
    event_type, body = delivery(0)
    headers = github_headers(body, event_type)
    assert post(hooks, "/webhooks/github/acme", body + b" ", headers)[0] == 401
    assert post(hooks, "/webhooks/github/acme", body, {"X-GitHub-Event": "issues"})[0] == 401
    wrong = github_headers(body, "issues", secret="wrong-secret-0123456789")
    assert post(hooks, "/webhooks/github/acme", body, wrong)[0] == 401
    assert on_topic(hooks) == []
    status, answer = post(hooks, "/webhooks/github/acme", body, headers)
    assert (status, answer["produced"]) == (200, 1)
    (event,) = on_topic(hooks)
    assert event["kind"] == "request" and event["source"] == "github"
    assert event["actor"].startswith("p_") and event["targets"][0].startswith("p_")


def test_a_delivery_signed_for_one_tenant_is_refused_on_another(hooks: WorkerProcess) -> None:
    event_type, body = delivery(0)
    signed_for_acme = github_headers(body, event_type)
    assert post(hooks, "/webhooks/github/beta", body, signed_for_acme)[0] == 401
    slack_for_acme = slack_headers(SLACK_MESSAGE, time.time())
    assert post(hooks, "/webhooks/slack/beta", SLACK_MESSAGE, slack_for_acme)[0] == 401
    set_secret(webhook_secrets_path(hooks.settings), "beta", "github", BETA_SECRET)
    assert post(hooks, "/webhooks/github/beta", body, signed_for_acme)[0] == 401
    status, answer = post(
        hooks, "/webhooks/github/beta", body, github_headers(body, event_type, BETA_SECRET)
    )
    assert (status, answer["produced"]) == (200, 1)
    assert [event["tenant"] for event in on_topic(hooks)] == ["beta"]


def test_a_replayed_delivery_produces_nothing(hooks: WorkerProcess) -> None:
    event_type, body = delivery(0)
    headers = github_headers(body, event_type)
    assert post(hooks, "/webhooks/github/acme", body, headers)[1]["produced"] == 1
    status, answer = post(hooks, "/webhooks/github/acme", body, headers)
    assert (status, answer["produced"], answer["duplicate"]) == (200, 0, True)
    assert len(on_topic(hooks)) == 1


def test_two_review_requests_in_the_same_second_are_two_requests(hooks: WorkerProcess) -> None:
    event_type, body = delivery(4)
    for _ in range(2):
        answer = post(hooks, "/webhooks/github/acme", body, github_headers(body, event_type))[1]
        assert answer["produced"] == 1
    events = on_topic(hooks)
    assert len({event["event_id"] for event in events}) == 2
    wait_for(
        lambda: hooks.counter_by("orgpulse_requests_total", "tenant").get("acme") == 2,
        60,
        "two requests counted",
    )
    assert hooks.metrics().get("orgpulse_events_duplicate_total", 0.0) == 0.0


NOT_AN_OBJECT = (b"{not json", b"[1, 2]", b'"text"', b'{"a": "\\ud800"}', b"[" * 100_000, b"\xff")


def test_bodies_that_are_not_a_json_object_are_400(hooks: WorkerProcess) -> None:
    for body in NOT_AN_OBJECT:
        github = github_headers(body, "issues")
        assert post(hooks, "/webhooks/github/acme", body, github)[0] == 400, body[:20]
        slack = slack_headers(body, time.time())
        assert post(hooks, "/webhooks/slack/acme", body, slack)[0] == 400, body[:20]
    assert on_topic(hooks) == []


def test_slack_challenge_message_tampered_and_stale(hooks: WorkerProcess) -> None:
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    assert post(
        hooks, "/webhooks/slack/acme", challenge, slack_headers(challenge, time.time())
    ) == (200, {"challenge": "abc123"})
    stale = slack_headers(SLACK_MESSAGE, time.time() - 600)
    assert post(hooks, "/webhooks/slack/acme", SLACK_MESSAGE, stale)[0] == 401
    tampered = slack_headers(SLACK_MESSAGE, time.time())
    assert post(hooks, "/webhooks/slack/acme", SLACK_MESSAGE + b"\n", tampered)[0] == 401
    assert on_topic(hooks) == []
    fresh = slack_headers(SLACK_MESSAGE, time.time())
    status, answer = post(hooks, "/webhooks/slack/acme", SLACK_MESSAGE, fresh)
    assert (status, answer["produced"]) == (200, 1)
    (event,) = on_topic(hooks)
    assert event["kind"] == "request" and len(event["targets"]) == 1 and event["artifacts"]
