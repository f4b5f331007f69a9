"""Webhook receivers: GitHub and the Slack Events API, with per-tenant signature checks.

``POST /webhooks/github/{tenant}`` and ``POST /webhooks/slack/{tenant}``. Each tenant has its
own secrets (``orgpulse webhooks set-secret``, :mod:`streams.access.webhook_secrets`); a
request whose signature is missing, wrong, made with another tenant's secret, or (Slack)
stale gets 401 and nothing is produced. A GitHub delivery seen before (same
``X-GitHub-Delivery``) produces nothing; the ids of the events it maps to derive from that
delivery id. A body that is not a JSON object gets 400. Accepted events are mapped with the
same code as the file importers and are in Kafka before the answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from faust.web import Request, Response, View

from streams.access import Provider, Watched, parse_secrets, secret_for, webhook_secrets_path
from streams.agents.context import Worker
from streams.connectors.builder import ingest_builder
from streams.connectors.github import Delivery, GitHubConnector
from streams.connectors.json_records import BadJson, json_problem, loads
from streams.connectors.pseudonym import NO_KEY, PseudonymKeyError
from streams.connectors.records import RawInteraction, Skipped
from streams.connectors.slack import Channel, SlackConnector, parse_post
from streams.model import Interaction
from streams.records.validation import InvalidRecord
from streams.web.delivery import ConfirmedProducer
from streams.web.events_api import read_limited
from streams.web.signatures import github_valid, slack_problem

log = logging.getLogger(__name__)
REMEMBERED_DELIVERIES = 10_000
"""GitHub delivery ids kept for deduplication (the oldest are forgotten first)."""


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
    event_type: str, payload: dict[str, Any], tenant: str, delivery_id: str | None = None
) -> list[RawInteraction | Skipped]:
    """The interaction of one GitHub delivery (ids derived from ``delivery_id`` when given)."""
    delivery = Delivery({"event": event_type, "payload": payload, "delivery": delivery_id})
    return [GitHubConnector([], tenant).map_delivery(delivery, f"webhook {event_type}")]


class RecentDeliveries:
    """The last ``capacity`` delivery keys seen, oldest forgotten first."""

    def __init__(self, capacity: int = REMEMBERED_DELIVERIES) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._keys

    def add(self, key: tuple[str, str]) -> None:
        """Remember ``key``, forgetting the oldest one beyond capacity."""
        self._keys[key] = None
        self._keys.move_to_end(key)
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)


class Receiver:
    """Builds, encodes and produces mapped webhook events, confirming delivery."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.builder = ingest_builder(worker.settings)
        self.producer = ConfirmedProducer(worker.settings, worker.codecs)

    def refusal(self, view: View) -> Response | None:
        """The 503 to answer while no pseudonym key is configured, else ``None``."""
        if self.builder is None:
            return view.json({"error": f"receiver disabled: {NO_KEY}"}, status=503)
        return None

    async def produce(self, items: Iterable[RawInteraction | Skipped]) -> dict[str, Any]:
        """Produce the valid interactions; count the rest by reason."""
        if self.builder is None:
            raise PseudonymKeyError(NO_KEY)
        events: list[Interaction] = []
        skipped: dict[str, int] = {}
        for item in items:
            try:
                if isinstance(item, Skipped):
                    raise InvalidRecord("event", item.reason, item.where)
                event = self.builder.interaction(item)
            except InvalidRecord as error:
                skipped[error.reason] = skipped.get(error.reason, 0) + 1
                continue
            events.append(event)
        loop = asyncio.get_running_loop()
        outcomes = await loop.run_in_executor(
            None, self.producer.send_events, self.worker.settings.topic_interactions, events
        )
        failed = [o for o in outcomes if o is not None]
        return {"produced": len(events) - len(failed), "failed": len(failed), "skipped": skipped}


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


def json_object(view: View, body: bytes) -> dict[str, Any] | Response:
    """The body as a JSON object of valid Unicode, or the 400 answer when it is not one."""
    try:
        payload = loads(body)
    except BadJson:
        return view.json({"error": "not JSON"}, status=400)
    if not isinstance(payload, dict):
        return view.json({"error": "expected a JSON object"}, status=400)
    problem = json_problem(payload)
    if problem is not None:
        return view.json({"error": f"{problem[0]}: {problem[1]}"}, status=400)
    return payload


class Verifier:
    """Checks a delivery's signature against its tenant's secret from the secrets file."""

    def __init__(self, worker: Worker) -> None:
        self.limit = worker.settings.ingest_max_bytes
        self._secrets = Watched(webhook_secrets_path(worker.settings), parse_secrets)

    async def payload(
        self, view: View, request: Request, tenant: str, provider: Provider, check: SignatureCheck
    ) -> dict[str, Any] | Response:
        """The JSON object of a request signed with ``tenant``'s secret, or the answer to send."""
        body = await read_limited(request, self.limit)
        if body is None:
            return view.json({"error": "body too large"}, status=413)
        secret = secret_for(self._secrets.current(), tenant, provider)
        if secret is None:
            log.info("%s delivery refused: tenant %r has no %s secret", provider, tenant, provider)
        problem = "bad signature" if secret is None else check(secret, body, request)
        if problem is not None:
            return view.json({"error": problem}, status=401)
        return json_object(view, body)


class GitHubDeliveries:
    """Produces each GitHub delivery once: a delivery id seen before produces nothing."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.seen = RecentDeliveries()

    async def deliver(
        self, event_type: str, payload: dict[str, Any], tenant: str, delivery_id: str | None
    ) -> dict[str, Any]:
        """The produce answer, or a ``duplicate`` one when the delivery was produced before."""
        key = (tenant, delivery_id or "")
        if delivery_id is not None and key in self.seen:
            return {"produced": 0, "failed": 0, "skipped": {}, "duplicate": True}
        answer = await self.receiver.produce(
            github_events(event_type, payload, tenant, delivery_id)
        )
        if delivery_id is not None and not answer["failed"]:
            self.seen.add(key)
        return answer


def register(worker: Worker) -> None:
    """Add the GitHub and Slack receivers (a tenant's receiver needs that tenant's secret)."""
    app = worker.app
    receiver, verifier = Receiver(worker), Verifier(worker)
    deliveries = GitHubDeliveries(receiver)

    @app.page("/webhooks/github/{tenant}")
    class GitHub(View):
        """GitHub webhook deliveries, verified with ``X-Hub-Signature-256``."""

        async def post(self, request: Request, tenant: str) -> Response:
            payload = await verifier.payload(self, request, tenant, "github", _github_problem)
            if not isinstance(payload, dict):
                return payload
            event_type = request.headers.get("X-GitHub-Event", "")
            if event_type == "ping":
                return self.json({"pong": True})
            if (refused := receiver.refusal(self)) is not None:
                return refused
            delivery_id = request.headers.get("X-GitHub-Delivery") or None
            return self.json(await deliveries.deliver(event_type, payload, tenant, delivery_id))

    @app.page("/webhooks/slack/{tenant}")
    class Slack(View):
        """Slack Events API requests, verified with the v0 signing secret."""

        async def post(self, request: Request, tenant: str) -> Response:
            payload = await verifier.payload(self, request, tenant, "slack", _slack_problem)
            if not isinstance(payload, dict):
                return payload
            if payload.get("type") == "url_verification":
                return self.json({"challenge": payload.get("challenge")})
            if (refused := receiver.refusal(self)) is not None:
                return refused
            return self.json(await receiver.produce(slack_events(payload, tenant)))
