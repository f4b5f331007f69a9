"""The PromQL of a rendered dashboard, with its template variables replaced by values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

DEFAULTS = {
    "window": "7d",
    "team": ".*",
    "__rate_interval": "1m",
    "__interval": "15s",
}
"""Values of the variables other than ``tenant`` unless the caller gives others."""
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """``expr`` with every ``$name`` and ``${name}`` replaced; ``KeyError`` for an unknown one."""

    def value(match: re.Match[str]) -> str:
        return values[match.group(1) or match.group(2)]

    return VARIABLE.sub(value, expr)


def panels(dashboard_json: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every panel of the dashboard, including those inside collapsed rows (rows excluded)."""
    for item in dashboard_json.get("panels", []):
        if item.get("type") == "row":
            yield from item.get("panels", [])
        else:
            yield item


def panel_queries(
    dashboard_json: Mapping[str, Any], tenant: str = "acme", **values: str
) -> list[tuple[str, str]]:
    """(panel title, PromQL) of every panel query, with ``$tenant`` → ``tenant`` and the other
    variables from ``values`` or ``DEFAULTS`` (``$window`` → 7d, ``$team`` → .*,
    ``$__rate_interval`` → 1m, ``$__interval`` → 15s)."""
    known = {**DEFAULTS, "tenant": tenant, **values}
    return [
        (panel["title"], substitute(target["expr"], known))
        for panel in panels(dashboard_json)
        for target in panel.get("targets", [])
    ]
