"""Webhook receivers on a real worker and broker: valid, tampered and stale signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from support.kafka import REPO
from support.worker import WorkerProcess

from streams.codec import interaction_codec
from streams.model import Interaction
from streams.settings import Settings
from streams.topic_reader import read_to_end

GITHUB_SECRET = "gh-webhook-secret"
SLACK_SECRET = "slack-signing-secret"
DELIVERIES = REPO / "tests" / "connectors" / "fixtures" / "github" / "deliveries.json"


@pytest.fixture
def hooks(pipeline: Settings) -> Iterator[WorkerProcess]:
    settings = pipeline.model_copy(
        update={
            "github_webhook_secret": SecretStr(GITHUB_SECRET),
            "slack_signing_secret": SecretStr(SLACK_SECRET),
        }
    )
    worker = WorkerProcess(settings)
    worker.start()
    yield worker
    worker.stop()


def post(
    worker: WorkerProcess, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{worker.base}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def on_topic(worker: WorkerProcess) -> list[Interaction]:
    codec = interaction_codec(worker.settings)
    return [
        codec.decode(m.value() or b"")
        for m in read_to_end(worker.settings.bootstrap, worker.settings.topic_interactions)
    ]


def github_headers(body: bytes, event: str, secret: str = GITHUB_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "X-GitHub-Event": event}


def slack_headers(body: bytes, at: float, secret: str = SLACK_SECRET) -> dict[str, str]:
    stamp = str(int(at))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def test_github_ping_valid_tampered_and_unsigned(hooks: WorkerProcess) -> None:
    ping = b'{"zen": "Keep it logically awesome."}'
    assert post(hooks, "/webhooks/github/acme", ping, github_headers(ping, "ping")) == (
        200,
        {"pong": True},
    )
    delivery = json.loads(DELIVERIES.read_text())[0]
    body = json.dumps(delivery["payload"]).encode()
    headers = github_headers(body, delivery["event"])
    assert post(hooks, "/webhooks/github/acme", body + b" ", headers)[0] == 401
    assert post(hooks, "/webhooks/github/acme", body, {"X-GitHub-Event": "issues"})[0] == 401
    assert (
        post(hooks, "/webhooks/github/acme", body, github_headers(body, "issues", secret="wrong"))[
            0
        ]
        == 401
    )
    assert on_topic(hooks) == []
    status, answer = post(hooks, "/webhooks/github/acme", body, headers)
    assert (status, answer["produced"]) == (200, 1)
    (event,) = on_topic(hooks)
    assert event["kind"] == "request" and event["thread_id"] == "acme/search#12"
    assert event["actor"].startswith("p_") and event["targets"][0].startswith("p_")


def test_slack_challenge_message_tampered_and_stale(hooks: WorkerProcess) -> None:
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    assert post(
        hooks, "/webhooks/slack/acme", challenge, slack_headers(challenge, time.time())
    ) == (200, {"challenge": "abc123"})
    message = json.dumps(
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
    assert (
        post(hooks, "/webhooks/slack/acme", message, slack_headers(message, time.time() - 600))[0]
        == 401
    )
    assert (
        post(hooks, "/webhooks/slack/acme", message + b"\n", slack_headers(message, time.time()))[0]
        == 401
    )
    assert on_topic(hooks) == []
    status, answer = post(
        hooks, "/webhooks/slack/acme", message, slack_headers(message, time.time())
    )
    assert (status, answer["produced"]) == (200, 1)
    (event,) = on_topic(hooks)
    assert event["kind"] == "request" and len(event["targets"]) == 1 and event["artifacts"]
