"""Webhook receivers: GitHub and the Slack Events API, with their signature checks.

``POST /webhooks/github/{tenant}`` and ``POST /webhooks/slack/{tenant}``. A request with a
missing, wrong or (Slack) stale signature gets 401 and nothing is produced. Accepted events
are mapped with the same code as the file importers and are in Kafka before the answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from faust.web import Request, Response, View
from pydantic import SecretStr

from streams.agents.context import Worker
from streams.connectors.builder import ingest_builder
from streams.connectors.github import Delivery, GitHubConnector
from streams.connectors.pseudonym import NO_KEY, PseudonymKeyError
from streams.connectors.records import RawInteraction, Skipped
from streams.connectors.slack import Channel, SlackConnector, parse_post
from streams.validation import InvalidRecord
from streams.web.delivery import ConfirmedProducer
from streams.web.events_api import read_limited
from streams.web.signatures import github_valid, slack_problem


def slack_events(payload: dict[str, Any], tenant: str) -> list[RawInteraction | Skipped]:
    """The interactions of one Slack ``event_callback`` message event."""
    event = payload.get("event")
    if not isinstance(event, dict) or event.get("type") != "message":
        return [Skipped("unsupported_event", str(payload.get("type")))]
    channel_id = str(event.get("channel") or "")
    try:
        post = parse_post(Channel(channel_id, channel_id), event)
    except ValueError as error:
        return [Skipped(str(error), channel_id)]
    return list(SlackConnector([], tenant).post_events(post, {}))


def github_events(
    event_type: str, payload: dict[str, Any], tenant: str
) -> list[RawInteraction | Skipped]:
    """The interaction of one GitHub delivery."""
    delivery = Delivery({"event": event_type, "payload": payload})
    return [GitHubConnector([], tenant).map_delivery(delivery, f"webhook {event_type}")]


class Receiver:
    """Builds, encodes and produces mapped webhook events, confirming delivery."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.builder = ingest_builder(worker.settings)
        self.producer = ConfirmedProducer(worker.settings)

    def refusal(self, view: View) -> Response | None:
        """The 503 to answer while no pseudonym key is configured, else ``None``."""
        if self.builder is None:
            return view.json({"error": f"receiver disabled: {NO_KEY}"}, status=503)
        return None

    async def produce(self, items: Iterable[RawInteraction | Skipped]) -> dict[str, Any]:
        """Produce the valid interactions; count the rest by reason."""
        if self.builder is None:
            raise PseudonymKeyError(NO_KEY)
        records: list[tuple[bytes, bytes]] = []
        skipped: dict[str, int] = {}
        for item in items:
            try:
                if isinstance(item, Skipped):
                    raise InvalidRecord("event", item.reason, item.where)
                event = self.builder.interaction(item)
            except InvalidRecord as error:
                skipped[error.reason] = skipped.get(error.reason, 0) + 1
                continue
            records.append((event["tenant"].encode(), self.worker.codec.encode(event)))
        loop = asyncio.get_running_loop()
        outcomes = await loop.run_in_executor(
            None, self.producer.send, self.worker.settings.topic_interactions, records
        )
        failed = [o for o in outcomes if o is not None]
        return {"produced": len(records) - len(failed), "failed": len(failed), "skipped": skipped}


SignatureCheck = Callable[[bytes, bytes, Request], str | None]
"""(secret, body, request) → why the signature fails, ``None`` when it is valid."""


def _github_problem(secret: bytes, body: bytes, request: Request) -> str | None:
    valid = github_valid(secret, body, request.headers.get("X-Hub-Signature-256"))
    return None if valid else "bad signature"


def _slack_problem(secret: bytes, body: bytes, request: Request) -> str | None:
    return slack_problem(
        secret,
        body,
        request.headers.get("X-Slack-Request-Timestamp"),
        request.headers.get("X-Slack-Signature"),
        time.time(),
    )


async def verified_body(
    view: View, request: Request, secret: SecretStr | None, limit: int, check: SignatureCheck
) -> bytes | Response:
    """The body of a correctly signed request, or the error response to send instead."""
    if secret is None:
        return view.json({"error": "receiver disabled: no secret configured"}, status=503)
    body = await read_limited(request, limit)
    if body is None:
        return view.json({"error": "body too large"}, status=413)
    problem = check(secret.get_secret_value().encode(), body, request)
    return body if problem is None else view.json({"error": problem}, status=401)


def register(worker: Worker) -> None:
    """Add the GitHub and Slack receivers (each only answers when its secret is set)."""
    app, settings = worker.app, worker.settings
    receiver = Receiver(worker)

    @app.page("/webhooks/github/{tenant}")
    class GitHub(View):
        """GitHub webhook deliveries, verified with ``X-Hub-Signature-256``."""

        async def post(self, request: Request, tenant: str) -> Response:
            if (refused := receiver.refusal(self)) is not None:
                return refused
            body = await verified_body(
                self,
                request,
                settings.github_webhook_secret,
                settings.ingest_max_bytes,
                _github_problem,
            )
            if not isinstance(body, bytes):
                return body
            event_type = request.headers.get("X-GitHub-Event", "")
            if event_type == "ping":
                return self.json({"pong": True})
            payload = json.loads(body)
            return self.json(await receiver.produce(github_events(event_type, payload, tenant)))

    @app.page("/webhooks/slack/{tenant}")
    class Slack(View):
        """Slack Events API requests, verified with the v0 signing secret."""

        async def post(self, request: Request, tenant: str) -> Response:
            if (refused := receiver.refusal(self)) is not None:
                return refused
            body = await verified_body(
                self,
                request,
                settings.slack_signing_secret,
                settings.ingest_max_bytes,
                _slack_problem,
            )
            if not isinstance(body, bytes):
                return body
            payload = json.loads(body)
            if payload.get("type") == "url_verification":
                return self.json({"challenge": payload.get("challenge")})
            return self.json(await receiver.produce(slack_events(payload, tenant)))
