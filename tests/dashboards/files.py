"""Where the committed Grafana files live."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "grafana" / "dashboards"
PROVISIONING = REPO / "grafana" / "provisioning"
