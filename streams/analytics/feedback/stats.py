"""Request records, feedback rules and the statistics read from them (DESIGN §3, §4, §5).

Scopes and team labels use the directory *at the time they are read*, like the window
graphs: the snapshot's within/cross split follows directory moves.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from streams.analytics.config import AnalyticsConfig
from streams.analytics.directory import Directory
from streams.analytics.ranks import nearest_rank
from streams.model import UNASSIGNED

OTHER = "other"
"""Metric team label of people whose team is not reported by name (DESIGN §4)."""

Qualifies = Callable[[str], bool]
"""Whether a team is named in metric labels now: it qualifies in the tenant's largest window
(:func:`streams.analytics.snapshot.qualifies`, README "Privacy")."""

WITHIN, CROSS = "within_team", "cross_team"
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class ScopeStats:
    """Answered requests and latency percentiles of one scope (within_team / cross_team)."""

    answered: int = 0
    p50_seconds: float | None = None
    p90_seconds: float | None = None


@dataclass(frozen=True)
class FeedbackStats:
    """Feedback-loop statistics of one window; all zero/null until requests are tracked."""

    requests: int = 0
    answered: int = 0
    unanswered: int = 0
    open: int = 0
    p50_seconds: float | None = None
    p90_seconds: float | None = None
    within_team: ScopeStats = field(default_factory=ScopeStats)
    cross_team: ScopeStats = field(default_factory=ScopeStats)


@dataclass(frozen=True)
class FeedbackRules:
    """The parameters of request/response pairing, in milliseconds."""

    bucket_ms: int
    horizon_ms: int
    grace_ms: int
    bots: frozenset[str]

    @classmethod
    def from_config(cls, config: AnalyticsConfig) -> FeedbackRules:
        """The rules of an analytics configuration."""
        return cls(
            bucket_ms=config.bucket_ms,
            horizon_ms=config.response_horizon_seconds * 1000,
            grace_ms=config.response_grace_seconds * 1000,
            bots=frozenset(config.bots),
        )

    def is_bot(self, person: str, directory: Directory) -> bool:
        """Whether ``person`` is a configured or directory-flagged bot."""
        return person in self.bots or directory.is_bot(person)


class Request:
    """One request; ``answer_t``/``responder`` is its best response so far, ``reported``
    whether its terminal fact (answered or unanswered) was emitted."""

    __slots__ = (
        "answer_t",
        "event_id",
        "reported",
        "requester",
        "responder",
        "source",
        "t",
        "thread_id",
    )

    def __init__(self, event_id: str, t: int, requester: str, source: str) -> None:
        self.event_id = event_id
        self.t = t
        self.requester = requester
        self.source = source
        self.thread_id: str | None = None
        self.answer_t: int | None = None
        self.responder: str | None = None
        self.reported = False

    def row(self) -> list[object]:
        """JSON-able form, inverse of :meth:`from_row`."""
        return [
            self.event_id,
            self.t,
            self.requester,
            self.source,
            self.thread_id,
            self.answer_t,
            self.responder,
            self.reported,
        ]

    @classmethod
    def from_row(cls, row: list[object]) -> Request:
        """The request of a :meth:`row`."""
        event_id, t, requester, source, thread_id, answer_t, responder, reported = row
        assert isinstance(event_id, str) and isinstance(t, int)
        assert isinstance(requester, str) and isinstance(source, str)
        request = cls(event_id, t, requester, source)
        request.thread_id = thread_id if isinstance(thread_id, str) else None
        request.answer_t = answer_t if isinstance(answer_t, int) else None
        request.responder = responder if isinstance(responder, str) else None
        request.reported = bool(reported)
        return request


def team_label(directory: Directory, person: str, qualifies: Qualifies) -> str:
    """The metric team label of ``person``: their team if it qualifies now, else ``other``."""
    team = directory.team_of(person)
    return team if qualifies(team) else OTHER


def scope(directory: Directory, requester: str, responder: str) -> str:
    """``within_team`` when both share a real team, else ``cross_team``."""
    team = directory.team_of(requester)
    return WITHIN if team != UNASSIGNED and team == directory.team_of(responder) else CROSS


def _scope_stats(latencies: list[float]) -> ScopeStats:
    latencies.sort()
    return ScopeStats(len(latencies), nearest_rank(latencies, 1, 2), nearest_rank(latencies, 9, 10))


class BucketSummary:
    """What the requests of one bucket contribute to window statistics at any watermark:
    their number, the answered ones as ``(latency seconds, requester, responder)`` by latency,
    and the times of the others, sorted (unanswered once the horizon passed them).

    Scopes are not kept: they follow the directory at the time the statistics are read.
    """

    __slots__ = ("answered", "count", "waiting")

    def __init__(self, requests: Iterable[Request]) -> None:
        self.count = 0
        self.answered: list[tuple[float, str, str]] = []
        self.waiting: list[int] = []
        for request in requests:
            self.count += 1
            if request.answer_t is not None and request.responder is not None:
                latency = (request.answer_t - request.t) / 1000
                self.answered.append((latency, request.requester, request.responder))
            else:
                self.waiting.append(request.t)
        self.answered.sort(key=itemgetter(0))
        self.waiting.sort()


def window_stats(
    summaries: Iterable[BucketSummary], as_of: int, horizon_ms: int, directory: Directory
) -> FeedbackStats:
    """Feedback statistics of the requests of one window, given the summaries of its
    buckets, as of ``as_of`` (the watermark).

    answered = a response within the horizon (every known response is at or before the
    watermark); unanswered = none and ``as_of`` past the horizon; open = neither.
    O(buckets + answered requests), the latencies merged from sorted runs.
    """
    count = unanswered = 0
    by_scope: dict[str, list[float]] = {WITHIN: [], CROSS: []}
    passed = as_of - horizon_ms  # a request before this time is past its horizon
    for summary in summaries:
        count += summary.count
        unanswered += bisect_left(summary.waiting, passed)
        for latency, requester, responder in summary.answered:
            by_scope[scope(directory, requester, responder)].append(latency)
    within, cross = _scope_stats(by_scope[WITHIN]), _scope_stats(by_scope[CROSS])
    overall = _scope_stats(by_scope[WITHIN] + by_scope[CROSS])
    return FeedbackStats(
        requests=count,
        answered=overall.answered,
        unanswered=unanswered,
        open=count - overall.answered - unanswered,
        p50_seconds=overall.p50_seconds,
        p90_seconds=overall.p90_seconds,
        within_team=within,
        cross_team=cross,
    )


def open_by_age(
    requests: Iterable[Request],
    as_of: int,
    directory: Directory,
    rules: FeedbackRules,
    qualifies: Qualifies,
) -> dict[tuple[str, str], int]:
    """Open requests (unanswered, horizon not passed at ``as_of``) per (team label, age band)."""
    counts: Counter[tuple[str, str]] = Counter()
    labels: dict[str, str] = {}
    for request in requests:
        age = as_of - request.t
        if age > rules.horizon_ms:
            continue
        label = labels.get(request.requester)
        if label is None:
            label = labels[request.requester] = team_label(directory, request.requester, qualifies)
        counts[(label, age_band(age))] += 1
    return dict(counts)


def age_band(age_ms: int) -> str:
    """The ``orgpulse_requests_open`` age band: ``lt_1h``, ``1h_24h`` or ``gt_24h``."""
    if age_ms < HOUR_MS:
        return "lt_1h"
    return "1h_24h" if age_ms < 24 * HOUR_MS else "gt_24h"
