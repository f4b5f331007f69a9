"""Snapshots refreshed after every op (kept between refreshes), and their top-K flows, equal
a snapshot recomputed from scratch with plain Python over the window's aggregates; the change
finder equals a key-by-key comparison of two dicts."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.analytics.config import AnalyticsConfig
from streams.analytics.graph.teams import ChangeLog
from streams.analytics.tenant import TenantState
from streams.model import UNASSIGNED

from .naive import Op
from .strategies import CONFIG, HOUR, PEOPLE, TENANT, event, op_streams

REVERSED = dataclasses.replace(CONFIG, windows=tuple(reversed(CONFIG.windows)))
"""The largest window in slot 0: its lane alone holds old buckets (small packed values)."""
TOP_FLOWS = (1, 3)
"""The exporter's top-K flow lists checked at each refresh, kept between refreshes too."""


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 9)


def plain_snapshot(state: TenantState, window: str) -> dict[str, Any]:
    """The teams and flow of a window, every number read again from the aggregates."""
    tables = state.windows.graphs[window].teams.tables()
    directory, size = state.directory, state.config.min_group_size
    internal, external = tables["internal"], tables["external"]
    reported = [
        team
        for team in directory.teams()
        if directory.members(team) >= size and tables["active"].get(team, 0) >= size
    ]
    teams = {}
    for team in reported:
        i, e = internal.get(team, 0), external.get(team, 0)
        bridge = max(tables["bridges"].get(team, {}).values(), default=0)
        partners = tables["partners"].get(team, {})
        teams[team] = {
            "members": directory.members(team),
            "internal": rounded(i / 1e6),
            "external": rounded(e / 1e6),
            "ei_index": rounded((e - i) / (e + i)) if e + i else None,
            "partner_teams": len(partners),
            "bridge_concentration": rounded(bridge / e) if e else None,
            "single_bridge": e > 0 and Fraction(bridge, e) >= Fraction(4, 5),
            "siloed": team in state.silo.siloed,
        }
    flow = [
        {"src": src, "dst": dst, "weight": rounded(weight / 1e6)}
        for (src, dst), weight in sorted(tables["flow"].items())
        if src in reported and dst in reported and UNASSIGNED not in (src, dst)
    ]
    return {"teams": teams, "flow": flow}


def with_zero_weights(ops: list[Op], zeros: list[bool]) -> list[Op]:
    """``ops`` where the events flagged in ``zeros`` get weight 0 (pairs that count as
    edges and partner teams but add no weight)."""
    changed: list[Op] = []
    for (kind, value), zero in zip(ops, zeros + [False] * len(ops), strict=False):
        changed.append((kind, {**value, "weight": 0.0} if kind == "event" and zero else value))
    return changed


def check_refreshes(config: AnalyticsConfig, ops: list[Op], skips: Sequence[bool] = ()) -> None:
    """After every op, the top-K lists and (unless ``skips`` flags the op: the full flow is
    then not read for a while, as between two API answers) the full snapshot."""
    state = TenantState(TENANT, config)
    flags = itertools.chain(skips, itertools.repeat(False))
    for (kind, value), skip in zip(ops, flags, strict=False):
        if kind == "dir":
            state.set_team(*value)
        else:
            state.apply(value)
        for window in config.windows:
            expected = plain_snapshot(state, window)
            heaviest = sorted(expected["flow"], key=lambda f: (-f["weight"], f["src"], f["dst"]))
            for k in TOP_FLOWS:
                assert state.snapshot(window, top_flow=k)["flow"] == heaviest[:k]
            if skip:
                continue
            snap = state.snapshot(window)
            assert json.dumps({k: snap[k] for k in expected}) == json.dumps(expected)


@settings(max_examples=150, deadline=None)
@given(
    ops=op_streams(),
    zeros=st.lists(st.booleans(), max_size=80),
    reverse=st.booleans(),
    skips=st.lists(st.booleans(), max_size=80),
)
def test_every_refresh_equals_a_recompute(
    ops: list[Op], zeros: list[bool], reverse: bool, skips: list[bool]
) -> None:
    check_refreshes(REVERSED if reverse else CONFIG, with_zero_weights(ops, zeros), skips)


def test_a_pair_that_left_the_window_and_came_back() -> None:
    directory = [("dir", (p, "A" if i % 2 else "B", False)) for i, p in enumerate(PEOPLE)]
    ops: list[Op] = [
        *directory,
        ("event", event("1", 0, "p0", ["p1", "p3"], 1.0)),
        ("event", event("2", 1, "p2", ["p1"], 0.5)),
        ("event", event("3", 3 * HOUR, "p4", ["p5"], 2.0)),  # the first pairs leave 2h
        ("event", event("4", 3 * HOUR + 1, "p0", ["p1"], 1.0)),  # and come back
        ("event", event("5", 30 * HOUR, "p6", ["p7"], 1.0)),  # everything leaves
        ("dir", ("p6", "A", False)),
        ("event", event("6", 30 * HOUR + 2, "p2", ["p3", "p5"], 1.0)),
    ]
    check_refreshes(CONFIG, ops)


Mutation = tuple[int, int, int]
"""(operation 0 set / 1 delete / 2 take, key or reader, value)."""


@settings(max_examples=300, deadline=None)
@given(
    mutations=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 12), st.integers(1, 300))),
    readers=st.integers(1, 3),
)
def test_a_change_log_returns_every_key_changed_since_the_readers_previous_take(
    mutations: list[Mutation], readers: int
) -> None:
    table: dict[int, int] = {}
    log: ChangeLog[int] = ChangeLog()
    for reader in range(readers):
        log.subscribe(reader)
    seen: dict[int, dict[int, int]] = {reader: {} for reader in range(readers)}
    for operation, key, value in mutations:
        if operation == 0:
            table[key] = value
        elif operation == 1:
            table.pop(key, None)
        else:
            reader = key % readers
            taken = log.take(reader)
            before = seen[reader]
            if taken is None:  # the first take after subscribing: everything
                seen[reader] = dict(table)
                continue
            changed = {k for k in before.keys() | table.keys() if before.get(k) != table.get(k)}
            assert changed <= taken
            seen[reader] = dict(table)
            continue
        log.recent.add(key)  # as the aggregates record a key they changed
    for reader in range(readers):
        log.subscribe(reader)
        assert log.take(reader) is None  # a new reader reads everything
        assert log.take(reader) == set()
