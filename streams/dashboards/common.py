"""Building blocks shared by the dashboards: the datasource, template variables, queries,
panel defaults, rows, and the final pass that numbers the panels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Self, TypedDict, TypeVar

from grafana_foundation_sdk.builders import dashboard, prometheus, table, timeseries
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from streams.dashboards.promql import TENANT, rate, selector, sum_by

DATASOURCE_UID = "orgpulse-prometheus"
"""The uid of the Prometheus datasource in ``grafana/provisioning/datasources``."""
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)

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
        "window", "Window", f"label_values({selector('orgpulse_window_people', TENANT)}, window)"
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


def new_dashboard(uid: str, title: str, description: str, teams: str = "") -> dashboard.Dashboard:
    """A dashboard with the common settings, the ``tenant`` and ``window`` variables and, given
    ``teams`` (a selector of series labelled by team), the ``team`` variable."""
    board = (
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
    return board.with_variable(team_variable(teams)) if teams else board


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


def table_query(expr: str) -> prometheus.Dataquery:
    """An instant query in table format (a row per series), for the merged tables."""
    return query(expr, instant=True, query_format=PromQueryFormat.TABLE)


def ref_id(index: int) -> str:
    """The ref id of a panel's ``index``-th query (0 → A) and of its table column ``Value #A``."""
    return chr(ord("A") + index)


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

    def min(self, min_val: float) -> Self:
        """Set the lowest value of the axis or scale."""

    def max(self, max_val: float) -> Self:
        """Set the highest value of the axis or scale."""


P = TypeVar("P", bound=PanelBuilder)


class Layout(TypedDict, total=False):
    """The keyword settings of ``panel``, for helpers that pass them on."""

    unit: str
    width: int
    height: int
    low: float | None
    high: float | None


def panel(
    builder: P,
    title: str,
    description: str,
    *targets: prometheus.Dataquery,
    unit: str = "short",
    width: int = 12,
    height: int = 8,
    low: float | None = None,
    high: float | None = None,
) -> P:
    """``builder`` with a title, description, unit, size and queries on the orgpulse datasource,
    and the scale from ``low`` and up to ``high`` where given."""
    configured = (
        builder.title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(height)
    )
    for index, target in enumerate(targets):
        configured = configured.with_target(target.ref_id(ref_id(index)))
    if low is not None:
        configured = configured.min(low)
    if high is not None:
        configured = configured.max(high)
    return configured


def merged_table(
    title: str,
    description: str,
    labels: dict[str, str],
    columns: dict[str, str],
    *,
    unit: str,
    width: int = 12,
) -> table.Panel:
    """A table of instant queries joined on their labels: ``labels`` names the label columns,
    ``columns`` maps each value column's name to its query (queries A, B, ... in order)."""
    values = {f"Value #{ref_id(index)}": name for index, name in enumerate(columns)}
    targets = [table_query(expr) for expr in columns.values()]
    built = panel(table.Panel(), title, description, *targets, unit=unit, width=width)
    return built.transformations(merge_and_rename({**labels, **values}))


def events_processed(width: int) -> timeseries.Panel:
    """Valid events applied per second, by source tool."""
    events = selector("orgpulse_events_processed_total", TENANT)
    return panel(
        timeseries.Panel(),
        "Events processed per second",
        "Valid events applied, by source tool.",
        query(sum_by("source", rate(events)), "{{source}}"),
        unit="ops",
        width=width,
    )


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


@dataclass(frozen=True)
class Row:
    """A titled row of a dashboard and its panels, left to right."""

    title: str
    panels: Sequence[cogbuilder.Builder[model.Panel]]


def assemble(board: dashboard.Dashboard, *rows: Row) -> model.Dashboard:
    """``board`` with ``rows`` in order, built and finished."""
    for row in rows:
        board = board.with_row(dashboard.Row(row.title))
        for item in row.panels:
            board = board.with_panel(item)
    return finish(board.build())


def finish(built: model.Dashboard) -> model.Dashboard:
    """Fill what the SDK leaves unset: panel and row ids 1..n in layout order, ``{}`` options
    of panels without options, and an empty annotation list (Grafana adds its built-in one)."""
    for number, item in enumerate(built.panels or [], start=1):
        item.id_val = number
        if isinstance(item, model.Panel) and item.options is None:
            item.options = {}
    built.annotations = model.AnnotationContainer(list_val=[])
    return built
