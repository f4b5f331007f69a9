"""The ingest endpoint and its OpenAPI document on the worker's web port.

``POST /api/v1/events`` needs a token with the ``ingest`` scope; each record whose tenant
the token does not cover is rejected (``tenant_not_allowed``), the others are accepted. The
OpenAPI document needs a valid token of any scope.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiohttp import web
from faust.web import Request, Response, View

from streams.access import TokenRecord
from streams.agents.context import Worker
from streams.connectors.builder import RecordBuilder, ingest_builder
from streams.connectors.pseudonym import NO_KEY
from streams.model import Interaction
from streams.web.auth import Gate, refuse
from streams.web.bodies import (
    BadBody,
    Verdict,
    check_batch,
    check_content_type,
    client_event_id,
    parse_body,
)
from streams.web.delivery import ConfirmedProducer
from streams.web.openapi import OPENAPI

Accepted = list[tuple[int, Interaction]]


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` when it is larger than ``limit`` bytes."""
    aio = cast(web.Request, request)
    if aio.content_length is not None and aio.content_length > limit:
        return None
    chunks, size = [], 0
    while chunk := await aio.content.read(65536):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def register(worker: Worker) -> None:
    """Add ``POST /api/v1/events`` and ``GET /api/v1/openapi.json``."""
    app, settings = worker.app, worker.settings
    builder = ingest_builder(settings)
    producer = ConfirmedProducer(settings, worker.codecs)
    gate = Gate(settings)

    @app.page("/api/v1/openapi.json")
    async def openapi(view: View, request: Request) -> Response:
        record = gate.check(request, None)
        if not isinstance(record, TokenRecord):
            return refuse(view, record)
        return view.json(OPENAPI)

    @app.page("/api/v1/events")
    class Events(View):
        """Validate, pseudonymize and produce a batch; answer per record."""

        async def post(self, request: Request) -> Response:
            record = gate.check(request, "ingest")
            if not isinstance(record, TokenRecord):
                return refuse(self, record)
            if builder is None:
                return self.json({"error": f"ingest disabled: {NO_KEY}"}, status=503)
            body = await read_limited(request, settings.ingest_max_bytes)
            if body is None:
                return self.json(
                    {"error": f"body over {settings.ingest_max_bytes} bytes"}, status=413
                )
            try:
                check_content_type(request.headers.get("Content-Type"))
                items = parse_body(body)
            except BadBody as error:
                return self.json({"error": str(error)}, status=error.status)
            if len(items) > settings.ingest_max_records:
                return self.json(
                    {"error": f"more than {settings.ingest_max_records} records"}, status=413
                )
            result, status = await _ingest(worker, builder, producer, items, record)
            return self.json(result, status=status)


def covered(
    record: TokenRecord, items: list[Any], accepted: Accepted
) -> tuple[list[Verdict], Accepted]:
    """Verdicts for the records of tenants ``record`` does not cover, and the other records."""
    outside = [
        Verdict(index, client_event_id(items[index]), "rejected", "tenant_not_allowed", "tenant")
        for index, event in accepted
        if not record.covers(event["tenant"])
    ]
    return outside, [(index, event) for index, event in accepted if record.covers(event["tenant"])]


async def _ingest(
    worker: Worker,
    builder: RecordBuilder,
    producer: ConfirmedProducer,
    items: list[Any],
    record: TokenRecord,
) -> tuple[dict[str, Any], int]:
    invalid, valid = check_batch(items, builder)
    outside, accepted = covered(record, items, valid)
    events = [event for _, event in accepted]
    loop = asyncio.get_running_loop()
    outcomes = await loop.run_in_executor(
        None, producer.send_events, worker.settings.topic_interactions, events
    )
    verdicts = (
        invalid
        + outside
        + [
            Verdict(
                index,
                client_event_id(items[index]),
                "accepted" if error is None else "failed",
                error,
                None,
            )
            for (index, _), error in zip(accepted, outcomes, strict=True)
        ]
    )
    verdicts.sort(key=lambda v: v.index)
    counts = {s: sum(v.status == s for v in verdicts) for s in ("accepted", "rejected", "failed")}
    status = (
        503
        if counts["failed"]
        else 200
        if counts["accepted"] == len(items)
        else (422 if not counts["accepted"] else 207)
    )
    return {**counts, "results": [v.as_json() for v in verdicts]}, status
