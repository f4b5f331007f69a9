"""Real data: Enron email, departments as teams, against the naive networkx recompute."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from support.data import ENRON

from streams.analytics.config import AnalyticsConfig
from streams.analytics.tenant import TenantState
from streams.model import Interaction

from . import naive
from .naive import Op
from .strategies import event

DATA = ENRON
CONFIG = AnalyticsConfig()
HOUR = CONFIG.bucket_ms


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def enron() -> tuple[dict[str, str], list[Interaction]]:
    departments = {r["employee_id"]: r["department"] for r in rows("employees.tsv")}
    recipients: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows("recipients.tsv"), key=lambda r: int(r["recipient_number"])):
        recipients[r["message_id"]].append(r["recipient_id"])
    events = [
        event(
            m["message_id"],
            int(m["unix_time"]) * 1000,
            m["sender_id"],
            recipients[m["message_id"]],
            1.0,
        )
        for m in rows("messages.tsv")
    ]
    return departments, events


def check(departments: dict[str, str], events: list[Interaction]) -> TenantState:
    state = TenantState("acme", CONFIG, departments)
    for e in events:
        state.apply(e)
    ops: list[Op] = [("dir", item) for item in departments.items()]
    ops += [("event", e) for e in events]
    ref = naive.replay(ops, HOUR, max(CONFIG.spans().values()), CONFIG.max_targets)
    assert ref.watermark is not None
    assert (state.counters.late, state.counters.broadcast) == (ref.late, ref.broadcast)
    for window, span in CONFIG.spans().items():
        snap = state.snapshot(window)
        pairs = naive.window_pairs(ref.accepted, ref.watermark, HOUR, span, CONFIG.max_targets)
        naive.assert_close(snap["org"], naive.org(pairs, ref.directory))
        teams = {t: {k: v for k, v in e.items() if k != "siloed"} for t, e in snap["teams"].items()}
        naive.assert_close(teams, naive.teams(pairs, ref.directory, CONFIG.min_group_size))
    as_of = datetime.fromtimestamp(ref.watermark // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert state.snapshot("28d")["as_of"] == as_of + ".000Z"
    return state


def test_enron_end_of_data(enron: tuple[dict[str, str], list[Interaction]]) -> None:
    departments, events = enron
    check(departments, events)
    assert {"Legal", "Trading", "Other"} == set(departments.values())


def test_enron_busiest_month(enron: tuple[dict[str, str], list[Interaction]]) -> None:
    departments, events = enron
    cut = int(datetime(2001, 11, 1, tzinfo=UTC).timestamp() * 1000)
    state = check(departments, [e for e in events if e["occurred_at"] < cut])
    snap = state.snapshot("28d")
    assert snap["org"]["pairs"] > 1000 and len(snap["teams"]) == 3
