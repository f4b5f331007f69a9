"""HTTP views on the worker's web port: metrics, health and the snapshot API."""

from __future__ import annotations

from typing import Any

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.agents.context import Worker
from streams.agents.refresh import settled
from streams.knowledge import knowledge_section


def register(worker: Worker) -> None:
    """Add ``/metrics``, ``/health`` and ``/api/v1/tenants/{tenant}/snapshot``."""
    app, runtime, settings = worker.app, worker.runtime, worker.settings

    @app.page("/metrics")
    async def metrics(view: View, request: Request) -> Response:
        body = generate_latest(worker.metrics.registry)
        return view.bytes(body, content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/health")
    async def health(view: View, request: Request) -> Response:
        ready = settled(worker)
        return view.json(
            {"status": "ok" if ready else "starting", "tenants": len(runtime.states)},
            status=200 if ready else 503,
        )

    @app.page("/api/v1/tenants/{tenant}/snapshot")
    async def snapshot(view: View, request: Request, tenant: str) -> Response:
        window = request.query.get("window", settings.silo_window)
        if window not in settings.windows:
            return view.json(
                {"error": f"unknown window {window!r}", "windows": list(settings.windows)},
                status=400,
            )
        if tenant not in runtime.states:
            return view.json({"error": "tenant not served by this worker"}, status=404)
        body: dict[str, Any] = runtime.states[tenant].snapshot(window)
        return view.json(body)

    @app.page("/api/v1/tenants/{tenant}/knowledge")
    async def knowledge(view: View, request: Request, tenant: str) -> Response:
        if tenant not in runtime.states:
            return view.json({"error": "tenant not served by this worker"}, status=404)
        section = knowledge_section(
            runtime.states[tenant], runtime.observers[tenant], settings.top_k
        )
        return view.json(section)
