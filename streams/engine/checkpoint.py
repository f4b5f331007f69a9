"""Full JSON-able checkpoints of a tenant's state, to start delta replay from.

A checkpoint holds only the primary state (kept buckets, directory with bot flags,
watermark, silo tracker, requests and held responses, counters); the window graphs and
team aggregates are rebuilt from the buckets, which gives state identical to the live one
because every aggregate is an exact integer. Registered observers are not part of it:
they are rebuilt by replaying deltas only.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from streams.analytics.config import AnalyticsConfig
from streams.analytics.feedback.stats import Request
from streams.analytics.graph.window import Bucket
from streams.analytics.tenant import Counters, TenantState

VERSION = 2


def to_checkpoint(state: TenantState) -> dict[str, Any]:
    """The checkpoint of ``state``; deltas taken afterwards continue from it."""
    feedback = state.feedback
    return {
        "version": VERSION,
        "tenant": state.tenant,
        "config": state.config.to_dict(),
        "watermark": state.windows.watermark,
        "directory": [list(row) for row in state.directory.entries()],
        "buckets": [_bucket_dict(index, bucket) for index, bucket in state.windows.buckets()],
        "silo": state.silo.to_dict(),
        "requests": [
            request.row()
            for index in sorted(feedback.by_bucket)
            for request in feedback.by_bucket[index]
        ],
        "held": [list(row) for row in feedback.held()],
        "counters": asdict(state.counters),
    }


def from_checkpoint(data: dict[str, Any]) -> TenantState:
    """Rebuild the state a checkpoint was taken from (cost O(edges in the kept buckets))."""
    if data.get("version") != VERSION:
        raise ValueError(f"not a version {VERSION} checkpoint")
    config = AnalyticsConfig.from_dict(data["config"])
    state = TenantState(data["tenant"], config)
    for person, team, bot in data["directory"]:
        state.directory.set(person, team, bot)
    buckets = {row["index"]: _bucket(row) for row in data["buckets"]}
    state.windows.restore(data["watermark"], buckets)
    state.silo.load(data["silo"])
    state.feedback.watermark = data["watermark"]
    requests = [Request.from_row(row) for row in data["requests"]]
    state.feedback.restore(requests, [tuple(row) for row in data["held"]])
    state.counters = Counters(**data["counters"])
    return state


def _bucket_dict(index: int, bucket: Bucket) -> dict[str, Any]:
    edges = [[a, b, count, weight] for (a, b), (count, weight) in sorted(bucket.edges.items())]
    return {"index": index, "edges": edges, "events": list(bucket.events)}


def _bucket(row: dict[str, Any]) -> Bucket:
    edges = {(a, b): [count, weight] for a, b, count, weight in row["edges"]}
    return Bucket(edges=edges, events=list(row["events"]))
