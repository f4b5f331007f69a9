"""Building blocks shared by the dashboards: the datasource, template variables, queries,
panel defaults, and the final pass that numbers the panels."""

from __future__ import annotations

from typing import Protocol, Self, TypeVar

from grafana_foundation_sdk.builders import dashboard, prometheus
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

DATASOURCE_UID = "orgpulse-prometheus"
"""The uid of the Prometheus datasource in ``grafana/provisioning/datasources``."""
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)

TENANT = 'tenant="$tenant"'
"""Label matcher of the selected tenant."""
WINDOW = 'window="$window"'
"""Label matcher of the selected window (1d, 7d, 28d)."""
TEAMS = 'team=~"$team"'
"""Label matcher of the selected teams (the ``team`` variable is multi-valued, All = .*)."""
TAGS = ["orgpulse"]
REFRESH = "30s"


def _label_variable(name: str, label: str, query: str) -> dashboard.QueryVariable:
    """A variable of label values from ``query``, refreshed with the time range, sorted."""
    return (
        dashboard.QueryVariable(name)
        .id(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(query)
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
    )


def tenant_variable() -> dashboard.QueryVariable:
    """``$tenant``: every tenant the worker has processed events for."""
    return _label_variable(
        "tenant", "Tenant", "label_values(orgpulse_events_processed_total, tenant)"
    )


def window_variable() -> dashboard.QueryVariable:
    """``$window``: the rolling windows of the tenant (1d, 7d, 28d by default), 7d selected."""
    return _label_variable(
        "window", "Window", f"label_values(orgpulse_window_people{{{TENANT}}}, window)"
    ).current(model.VariableOption(selected=True, text="7d", value="7d"))


def team_variable(metric: str) -> dashboard.QueryVariable:
    """``$team``: the teams labelled on ``metric`` (a selector), several or All (``.*``)."""
    return (
        _label_variable("team", "Team", f"label_values({metric}, team)")
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(model.VariableOption(selected=True, text="All", value="$__all"))
    )


def new_dashboard(uid: str, title: str, description: str) -> dashboard.Dashboard:
    """A dashboard with the common settings and the ``tenant`` and ``window`` variables."""
    return (
        dashboard.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(TAGS)
        .refresh(REFRESH)
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .with_variable(tenant_variable())
        .with_variable(window_variable())
    )


def query(
    expr: str,
    legend: str = "",
    *,
    instant: bool = False,
    query_format: PromQueryFormat = PromQueryFormat.TIME_SERIES,
) -> prometheus.Dataquery:
    """A PromQL query on the orgpulse datasource."""
    target = prometheus.Dataquery().expr(expr).datasource(DATASOURCE).format(query_format)
    if legend:
        target = target.legend_format(legend)
    return target.instant() if instant else target.range()


class PanelBuilder(Protocol):
    """What every SDK panel builder offers (they share no base class)."""

    def title(self, title: str) -> Self:
        """Set the title."""

    def description(self, description: str) -> Self:
        """Set the description."""

    def datasource(self, datasource: model.DataSourceRef) -> Self:
        """Set the panel datasource."""

    def with_target(self, target: cogbuilder.Builder[cogvariants.Dataquery]) -> Self:
        """Add a query."""

    def unit(self, unit: str) -> Self:
        """Set the unit of every field."""

    def span(self, w: int) -> Self:
        """Set the width in grid columns (24 in a row)."""

    def height(self, h: int) -> Self:
        """Set the height in grid rows."""


P = TypeVar("P", bound=PanelBuilder)


def panel(
    builder: P,
    title: str,
    description: str,
    *targets: prometheus.Dataquery,
    unit: str = "short",
    width: int = 12,
    height: int = 8,
) -> P:
    """``builder`` with a title, description, unit, size and queries on the orgpulse datasource."""
    configured = (
        builder.title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(height)
    )
    for index, target in enumerate(targets):
        configured = configured.with_target(target.ref_id(chr(ord("A") + index)))
    return configured


def thresholds(*steps: tuple[float | None, str]) -> dashboard.ThresholdsConfig:
    """Absolute thresholds: ``(None, base colour)`` then ``(value, colour)`` steps."""
    return (
        dashboard.ThresholdsConfig()
        .mode(model.ThresholdsMode.ABSOLUTE)
        .steps([model.Threshold(value=value, color=color) for value, color in steps])
    )


def value_texts(texts: dict[str, tuple[str, str]]) -> list[model.ValueMapping]:
    """One value mapping: raw value → (display text, colour)."""
    options = {
        value: model.ValueMappingResult(text=text, color=color, index=index)
        for index, (value, (text, color)) in enumerate(texts.items())
    }
    return [model.ValueMap(options=options)]


def merge_and_rename(renames: dict[str, str]) -> list[model.DataTransformerConfig]:
    """Transformations that merge instant table queries into one table (rows joined on their
    labels), drop the time column and rename the others."""
    return [
        model.DataTransformerConfig(id_val="merge", options={}),
        model.DataTransformerConfig(
            id_val="organize",
            options={"excludeByName": {"Time": True}, "renameByName": renames},
        ),
    ]


def finish(built: model.Dashboard) -> model.Dashboard:
    """Fill what the SDK leaves unset: panel and row ids 1..n in layout order, ``{}`` options
    of panels without options, and an empty annotation list (Grafana adds its built-in one)."""
    for number, item in enumerate(built.panels or [], start=1):
        item.id_val = number
        if isinstance(item, model.Panel) and item.options is None:
            item.options = {}
    built.annotations = model.AnnotationContainer(list_val=[])
    return built
