"""HTTP views on the worker's web port: metrics, health and the snapshot API.

Every view but ``/health`` needs a bearer token (:mod:`streams.web.auth`): ``metrics`` for
``/metrics`` (a token of some tenants sees only their series), ``read`` on the tenant for the
snapshot and knowledge reads.
"""

from __future__ import annotations

from typing import Any

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from streams.access import TokenRecord
from streams.agents.context import Worker
from streams.agents.refresh import settled
from streams.analytics.knowledge.section import knowledge_section
from streams.web.auth import Gate, refuse
from streams.web.scoped_metrics import TenantMetrics


def visible_metrics(registry: Collector, record: TokenRecord) -> Collector:
    """What ``record`` may scrape: everything, or its tenants' and the tenant-free series."""
    return registry if record.all_tenants else TenantMetrics(registry, frozenset(record.tenants))


def register(worker: Worker) -> None:
    """Add ``/metrics``, ``/health`` and the snapshot and knowledge reads."""
    app, runtime, settings = worker.app, worker.runtime, worker.settings
    gate = Gate(settings)
    gate.warn_when_empty()

    @app.page("/metrics")
    async def metrics(view: View, request: Request) -> Response:
        record = gate.check(request, "metrics")
        if not isinstance(record, TokenRecord):
            return refuse(view, record)
        body = generate_latest(visible_metrics(worker.metrics.registry, record))
        return view.bytes(body, content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/health")
    async def health(view: View, request: Request) -> Response:
        ready = settled(worker)
        return view.json(
            {"status": "ok" if ready else "starting", "tenants": len(runtime.slots)},
            status=200 if ready else 503,
        )

    @app.page("/api/v1/tenants/{tenant}/snapshot")
    async def snapshot(view: View, request: Request, tenant: str) -> Response:
        record = gate.check(request, "read", tenant)
        if not isinstance(record, TokenRecord):
            return refuse(view, record)
        window = request.query.get("window", settings.silo_window)
        if window not in settings.windows:
            return view.json(
                {"error": f"unknown window {window!r}", "windows": list(settings.windows)},
                status=400,
            )
        slot = runtime.slots.get(tenant)
        if slot is None:
            return view.json({"error": "tenant not served by this worker"}, status=404)
        body: dict[str, Any] = slot.state.snapshot(window)
        return view.json(body)

    @app.page("/api/v1/tenants/{tenant}/knowledge")
    async def knowledge(view: View, request: Request, tenant: str) -> Response:
        record = gate.check(request, "read", tenant)
        if not isinstance(record, TokenRecord):
            return refuse(view, record)
        slot = runtime.slots.get(tenant)
        if slot is None:
            return view.json({"error": "tenant not served by this worker"}, status=404)
        section = knowledge_section(slot.state, slot.observers, settings.top_k)
        return view.json(section)
