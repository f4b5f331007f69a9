"""``panel_queries``: the PromQL of a dashboard with its variables replaced, ready to run."""

from __future__ import annotations

from typing import Any

import pytest

from streams.dashboards.queries import panel_queries, panels, substitute

Dashboards = dict[str, dict[str, Any]]
PAIRS = {"(": ")", "[": "]", "{": "}"}


def balanced(expr: str) -> bool:
    """Brackets outside string literals close in order, and every string literal ends."""
    stack: list[str] = []
    quoted = False
    for char in expr:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in PAIRS:
            stack.append(PAIRS[char])
        elif char in PAIRS.values() and (not stack or stack.pop() != char):
            return False
    return not stack and not quoted


def test_balanced_rejects_broken_queries() -> None:
    assert balanced('sum(rate(x{a="(("}[1m]))')
    assert not balanced("sum(rate(x[1m])")
    assert not balanced('x{a="b}')
    assert not balanced("sum(x[1m)]")


def test_substitute_replaces_both_forms_and_rejects_unknown_variables() -> None:
    values = {"tenant": "acme", "__rate_interval": "1m"}
    assert substitute('x{tenant="${tenant}"}[$__rate_interval]', values) == 'x{tenant="acme"}[1m]'
    with pytest.raises(KeyError):
        substitute("x[$__range]", values)


def test_panel_queries_cover_every_target_with_no_variables_left(dashboards: Dashboards) -> None:
    for dashboard in dashboards.values():
        queries = panel_queries(dashboard, "acme")
        targets = [(p["title"], t) for p in panels(dashboard) for t in p["targets"]]
        assert [title for title, _ in queries] == [title for title, _ in targets]
        for title, expr in queries:
            assert "$" not in expr, (title, expr)
            assert balanced(expr), (title, expr)


def test_panel_queries_use_the_given_values(dashboards: Dashboards) -> None:
    default = dict(panel_queries(dashboards["silos"], "acme"))
    assert default["E-I index by team"] == (
        'orgpulse_team_ei_index{tenant="acme", window="7d", team=~".*"}'
    )
    chosen = dict(panel_queries(dashboards["silos"], "globex", window="28d", team="payments"))
    assert chosen["E-I index by team"] == (
        'orgpulse_team_ei_index{tenant="globex", window="28d", team=~"payments"}'
    )
    rates = dict(panel_queries(dashboards["overview"], "acme", __rate_interval="5m"))
    assert rates["Events processed per second"] == (
        'sum by (source) (rate(orgpulse_events_processed_total{tenant="acme"}[5m]))'
    )


def test_every_tenant_scoped_query_selects_the_tenant(dashboards: Dashboards) -> None:
    unscoped = {"Worker up", "Dead letters per second by reason"}
    for dashboard in dashboards.values():
        for title, expr in panel_queries(dashboard, "acme"):
            if title not in unscoped:
                assert 'tenant="acme"' in expr, (title, expr)
