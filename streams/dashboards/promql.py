"""PromQL written by the dashboards: label matchers of the template variables, selectors,
rates and quantiles, and the expressions several dashboards share. (``queries`` reads the
PromQL back out of a rendered dashboard.)"""

from __future__ import annotations

TENANT = 'tenant="$tenant"'
"""Label matcher of the selected tenant."""
WINDOW = 'window="$window"'
"""Label matcher of the selected window (1d, 7d, 28d)."""
TEAMS = 'team=~"$team"'
"""Label matcher of the selected teams (the ``team`` variable is multi-valued, All = .*)."""
RATE_INTERVAL = "$__rate_interval"
"""The range of ``rate`` and ``increase`` unless a panel asks for another."""


def selector(metric: str, *matchers: str) -> str:
    """``metric{matcher, ...}``: the series of ``metric`` that match every label matcher."""
    return f"{metric}{{{', '.join(matchers)}}}"


def rate(series: str, range_: str = RATE_INTERVAL) -> str:
    """Per-second rate of the counter ``series`` over ``range_``."""
    return f"rate({series}[{range_}])"


def increase(series: str, range_: str = RATE_INTERVAL) -> str:
    """Increase of the counter ``series`` over ``range_``."""
    return f"increase({series}[{range_}])"


def sum_by(by: str, expr: str) -> str:
    """``sum by (by) (expr)``; ``sum (expr)`` over all series when ``by`` is empty."""
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} ({expr})"


def quantile(q: float, buckets: str, by: str = "", range_: str = RATE_INTERVAL) -> str:
    """The ``q`` quantile of the histogram ``buckets`` (a ``_bucket`` selector) over
    ``range_``, one series per value of the labels ``by`` (none: one series)."""
    labels = f"le, {by}" if by else "le"
    return f"histogram_quantile({q}, {sum_by(labels, rate(buckets, range_))})"


EVENT_LAG = f"max({selector('orgpulse_event_time_lag_seconds', TENANT)})"
"""Wall clock minus the newest event time of the tenant."""
HIDDEN_SILOS = f"sum({selector('orgpulse_org_hidden_silos', TENANT, WINDOW)})"
"""Hidden silos of the tenant in the window."""
TEAMS_IN_WINDOW = selector("orgpulse_team_ei_index", TENANT, WINDOW)
"""Series labelled with every team of the window (the values of ``$team``)."""
