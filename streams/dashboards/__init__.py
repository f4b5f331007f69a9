"""Grafana dashboards as code (grafana-foundation-sdk), rendered to ``grafana/dashboards``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from streams.dashboards import feedback, knowledge, overview, pipeline, silos

DASHBOARDS: dict[str, Callable[[], Dashboard]] = {
    "overview": overview.build,
    "silos": silos.build,
    "feedback-loops": feedback.build,
    "knowledge-flow": knowledge.build,
    "pipeline-health": pipeline.build,
}
"""File stem → builder of each dashboard."""


def to_json(built: Dashboard) -> dict[str, Any]:
    """The dashboard as plain JSON data (what Grafana stores)."""
    data: dict[str, Any] = json.loads(json.dumps(built, cls=JSONEncoder))
    return data


def render(built: Dashboard) -> str:
    """The dashboard as stable JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(to_json(built), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_all(out: Path) -> list[Path]:
    """Write every dashboard to ``out/<stem>.json``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, build in DASHBOARDS.items():
        path = out / f"{stem}.json"
        path.write_text(render(build()), encoding="utf-8")
        written.append(path)
    return written
