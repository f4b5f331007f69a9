"""Fixtures of the dashboard tests: the rendered and the committed dashboards."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams.dashboards import DASHBOARDS, to_json

from .files import COMMITTED


@pytest.fixture(scope="session")
def dashboards() -> dict[str, dict[str, Any]]:
    """File stem → dashboard JSON, built by the code."""
    return {stem: to_json(build()) for stem, build in DASHBOARDS.items()}


@pytest.fixture(scope="session")
def committed() -> dict[str, dict[str, Any]]:
    """File stem → dashboard JSON, read from grafana/dashboards."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(COMMITTED.glob("*.json"))
    }
