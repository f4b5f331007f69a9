"""Independent reference of DESIGN §3 "Request / response" over an op stream.

Nothing here imports streams.analytics: it replays the ops with the late/duplicate rules,
remembers for every accepted event its arrival position, whether its actor was a bot when it
was accepted and the watermark after it, then pairs every request by brute force over all
accepted events:

- the response is the minimum (occurred_at, actor) over accepted events by someone else,
  not a bot when accepted, replying to the request's id or in its thread, with
  request.t ≤ t ≤ request.t + horizon;
- an event that arrived *before* the request only counts if it is within ``grace`` of the
  watermark after the request was accepted (held responses expire in event time).

Window statistics then follow the definitions with the final directory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from streams.model import UNASSIGNED, Interaction

from .naive import Op


@dataclass(frozen=True)
class Params:
    bucket_ms: int
    largest: int
    horizon_ms: int
    grace_ms: int
    bots: frozenset[str]


@dataclass(frozen=True)
class Accepted:
    seq: int
    event: Interaction
    bot: bool
    watermark: int


@dataclass
class Stream:
    accepted: list[Accepted] = field(default_factory=list)
    teams: dict[str, str] = field(default_factory=dict)
    watermark: int | None = None


def accept(ops: Iterable[Op], params: Params) -> Stream:
    """Accepted events with their bot flag and watermark, and the final directory."""
    stream, flagged, ids = Stream(), set[str](), set[str]()
    for kind, value in ops:
        if kind == "dir":
            person, team, *rest = value
            stream.teams.pop(person, None)
            if team is not None and team != UNASSIGNED:
                stream.teams[person] = team
            if team is not None and rest and rest[0]:
                flagged.add(person)
            else:
                flagged.discard(person)
            continue
        event: Interaction = value
        t, wm = event["occurred_at"], stream.watermark
        if wm is not None and t // params.bucket_ms < wm // params.bucket_ms - params.largest + 1:
            continue
        if event["event_id"] in ids:
            continue
        ids.add(event["event_id"])
        stream.watermark = t if wm is None else max(wm, t)
        bot = event["actor"] in params.bots or event["actor"] in flagged
        stream.accepted.append(Accepted(len(stream.accepted), event, bot, stream.watermark))
    return stream


def answer(request: Accepted, stream: Stream, params: Params) -> tuple[int, str] | None:
    """The (occurred_at, responder) of the request's response, or None."""
    q = request.event
    best: tuple[int, str] | None = None
    for other in stream.accepted:
        r = other.event
        if other.bot or r["actor"] == q["actor"]:
            continue
        linked = r["in_reply_to"] == q["event_id"] or (
            r["thread_id"] is not None and r["thread_id"] == q["thread_id"]
        )
        t = r["occurred_at"]
        if not linked or not q["occurred_at"] <= t <= q["occurred_at"] + params.horizon_ms:
            continue
        if other.seq < request.seq and t < request.watermark - params.grace_ms:
            continue
        if best is None or (t, r["actor"]) < best:
            best = (t, r["actor"])
    return best


def _percentile(values: list[float], q: Fraction) -> float | None:
    if not values:
        return None
    return round(sorted(values)[math.ceil(q * len(values)) - 1], 9)


def _scope(values: list[float]) -> dict[str, Any]:
    return {
        "answered": len(values),
        "p50_seconds": _percentile(values, Fraction(1, 2)),
        "p90_seconds": _percentile(values, Fraction(9, 10)),
    }


def section(stream: Stream, span: int, params: Params) -> dict[str, Any]:
    """The expected snapshot feedback section of a window of ``span`` buckets."""
    assert stream.watermark is not None
    low = stream.watermark // params.bucket_ms - span + 1
    requests = [
        a
        for a in stream.accepted
        if a.event["kind"] == "request" and a.event["occurred_at"] // params.bucket_ms >= low
    ]
    within: list[float] = []
    cross: list[float] = []
    unanswered = 0
    for request in requests:
        found = answer(request, stream, params)
        t = request.event["occurred_at"]
        if found is None:
            unanswered += stream.watermark - t > params.horizon_ms
            continue
        team = stream.teams.get(request.event["actor"])
        same = team is not None and team == stream.teams.get(found[1])
        (within if same else cross).append((found[0] - t) / 1000)
    overall = _scope(within + cross)
    return {
        "requests": len(requests),
        "answered": overall["answered"],
        "unanswered": unanswered,
        "open": len(requests) - overall["answered"] - unanswered,
        "p50_seconds": overall["p50_seconds"],
        "p90_seconds": overall["p90_seconds"],
        "within_team": _scope(within),
        "cross_team": _scope(cross),
    }
