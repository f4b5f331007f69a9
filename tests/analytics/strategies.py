"""Hypothesis strategies for random op streams, and a driver feeding them to TenantState."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from streams.analytics.config import AnalyticsConfig
from streams.analytics.silos.silo import Transition
from streams.analytics.tenant import TenantState
from streams.model import Interaction, Kind

from .naive import Op

TENANT = "acme"
CONFIG = AnalyticsConfig(
    bucket_seconds=3600,
    windows=("2h", "6h", "1d"),
    max_targets=3,
    min_group_size=2,
    silo_window="6h",
    silo_consecutive=2,
    response_horizon_seconds=5 * 3600,
    response_grace_seconds=2 * 3600,
    bots=("p9",),
)
HOUR = 3_600_000
PEOPLE = [f"p{i}" for i in range(10)]
TEAMS = ["A", "B", "C", None]
WEIGHTS = [1.0, 0.5, 0.1, 2.25, 1 / 3]
STEPS = [0, 0, 60_000, 600_000, HOUR // 2, HOUR, 3 * HOUR, 5 * HOUR, 7 * HOUR, 30 * HOUR]
JITTER = [0, 0, 0, -HOUR, -5 * HOUR, -30 * HOUR]
KINDS: list[Kind] = ["message", "request", "request", "reply", "comment"]
THREADS = [None, "t0", "t0", "t1", "t2"]


def event(
    event_id: str,
    t_ms: int,
    actor: str,
    targets: Sequence[str],
    w: float,
    kind: Kind = "message",
    thread_id: str | None = None,
    in_reply_to: str | None = None,
) -> Interaction:
    """A minimal Interaction."""
    return Interaction(
        event_id=event_id,
        tenant=TENANT,
        source="slack",
        kind=kind,
        occurred_at=t_ms,
        actor=actor,
        targets=list(targets),
        thread_id=thread_id,
        in_reply_to=in_reply_to,
        channel=None,
        artifacts=[],
        weight=w,
        attributes={},
    )


@st.composite
def op_streams(draw: st.DrawFn, max_ops: int = 60) -> list[Op]:
    """Directory assignments, then events (forward steps, late jitter, broadcasts,
    duplicates, self pairs, requests, thread messages and replies to past or future
    events) interleaved with directory moves and bot flags."""
    ops: list[Op] = [("dir", (p, draw(st.sampled_from(TEAMS)), False)) for p in PEOPLE]
    clock, events = 10 * HOUR, list[Interaction]()
    for index in range(draw(st.integers(1, max_ops))):
        choice = draw(st.integers(0, 19))
        if choice < 3:
            person, team = draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(TEAMS))
            ops.append(("dir", (person, team, draw(st.sampled_from([False] * 5 + [True])))))
        elif choice < 5 and events:
            ops.append(("event", dict(draw(st.sampled_from(events)))))
        else:
            clock += draw(st.sampled_from(STEPS))
            t = max(0, clock + draw(st.sampled_from(JITTER)))
            actor = draw(st.sampled_from(PEOPLE))
            targets = draw(st.lists(st.sampled_from(PEOPLE), max_size=5))
            weight = draw(st.sampled_from(WEIGHTS))
            kind, thread = draw(st.sampled_from(KINDS)), draw(st.sampled_from(THREADS))
            reply = draw(st.sampled_from([None, None, *range(max(0, index - 6), index + 4)]))
            in_reply_to = None if reply is None else f"e{reply}"
            events.append(event(f"e{index}", t, actor, targets, weight, kind, thread, in_reply_to))
            ops.append(("event", events[-1]))
    return ops


def run(
    ops: Sequence[Op], state: TenantState | None = None
) -> tuple[TenantState, list[Transition]]:
    """Feed ops to a (new) TenantState; return it and all silo transitions."""
    state = state or TenantState(TENANT, CONFIG)
    transitions: list[Transition] = []
    for kind, value in ops:
        if kind == "dir":
            state.set_team(*value)
        else:
            transitions.extend(state.apply(value).transitions)
    return state, transitions
