"""Request → first-response pairing (DESIGN §3 "Request / response"), bounded in event time.

A ``request`` event opens a request. Its response is the earliest event (ties: smallest
responder id) by someone other than the requester and not a bot, with occurred_at ≥ the
request's and ≤ the request's + horizon, that replies to the request's event_id or shares
its thread_id, whatever order the two arrive in:

- a request in state is offered every later-arriving event of its thread or replying to it;
  an earlier response replaces the one it has;
- every event with a thread or a reply target is also *held* while it is at most
  ``grace`` older than the watermark, so a request that arrives after its response is
  paired with the earliest held candidate.

Bots are decided when the responding event is accepted (directory flag then, or the
configured list). Requests leave the state once they are older than the largest window
and past the horizon, held events once older than the grace or the oldest kept bucket,
so memory is bounded by event time, not by history.

Facts for live metrics (:class:`FeedbackFacts`) carry metric team labels
(:func:`team_label`): the requester's team if it qualifies, when the fact is observed, in
the tenant's largest window (every event so far applied), else ``other``. Each request
reports exactly one terminal fact: *answered* when it is first paired within the horizon,
or *unanswered* when the watermark passes its horizon unpaired. A later-arriving earlier
response (or a late in-horizon response to a request already reported unanswered) corrects
the snapshot but not facts already reported.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from typing import Any, NamedTuple

from streams.analytics.directory import Directory
from streams.analytics.events import AcceptedEvent
from streams.analytics.feedback.stats import (
    BucketSummary,
    FeedbackRules,
    FeedbackStats,
    Qualifies,
    Request,
    team_label,
    window_stats,
)
from streams.analytics.feedback.stats import scope as scope_of

Candidate = tuple[int, str]
"""A held possible response: (occurred_at, actor)."""

Held = dict[str, list[Candidate]]


class Opened(NamedTuple):
    """A request was opened."""

    source: str
    team: str


class Answered(NamedTuple):
    """A request was first paired with a response within the horizon."""

    source: str
    team: str
    scope: str
    latency_seconds: float


class Unanswered(NamedTuple):
    """The watermark passed a request's horizon with no response."""

    source: str
    team: str


class FeedbackFacts(NamedTuple):
    """The feedback facts one event caused, in the order they happened per kind."""

    opened: tuple[Opened, ...] = ()
    answered: tuple[Answered, ...] = ()
    unanswered: tuple[Unanswered, ...] = ()


NO_FACTS = FeedbackFacts()


class FeedbackTracker:
    """Requests, their first responses and held candidates of one tenant (an EventObserver)."""

    def __init__(self, rules: FeedbackRules, qualifies: Qualifies) -> None:
        self.rules = rules
        self.qualifies = qualifies
        self.watermark: int | None = None
        self.requests: dict[str, Request] = {}
        self.by_bucket: dict[int, list[Request]] = {}
        self._summaries: dict[int, BucketSummary] = {}
        """Summaries of buckets whose requests did not change since they were computed."""
        self._threads: dict[str, list[Request]] = {}
        self._replies: Held = {}
        self._thread_held: Held = {}
        self._held_buckets: dict[int, list[tuple[Held, str]]] = {}
        self._deadlines: list[tuple[int, str, Request]] = []
        self._opened: list[Opened] = []
        self._answered: list[Answered] = []
        self._unanswered: list[Unanswered] = []

    def __getstate__(self) -> dict[str, Any]:
        """The pickled tracker (checkpoints), without the bucket summaries: they are
        computed again when read."""
        return {**self.__dict__, "_summaries": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Load a pickled tracker, also one pickled before bucket summaries were kept."""
        self.__dict__.update({"_summaries": {}, **state})

    def on_event(self, event: AcceptedEvent, directory: Directory) -> None:
        """Pair, open, hold, then report requests whose horizon the watermark passed."""
        t = event.occurred_at
        if self.watermark is None or t > self.watermark:
            self.watermark = t
        linked = event.in_reply_to is not None or event.thread_id is not None
        responder = linked and not self.rules.is_bot(event.actor, directory)
        if responder:
            self._offer_to_requests(event, directory)
        if event.kind == "request" and event.event_id not in self.requests:
            self._open(event, directory)
        if responder:
            self._hold(event)
        if self._deadlines and self._deadlines[0][0] < self.watermark - self.rules.horizon_ms:
            self._pass_deadlines(directory)

    def expire(self, oldest_kept_ms: int) -> None:
        """Drop requests older than the largest window and past the horizon, and held events
        older than the grace or ``oldest_kept_ms``."""
        if self.watermark is None:
            return
        bucket_ms, horizon = self.rules.bucket_ms, self.rules.horizon_ms
        for index in sorted(self.by_bucket):
            end = (index + 1) * bucket_ms
            if end > oldest_kept_ms or end - 1 + horizon >= self.watermark:
                break
            self._drop(self.by_bucket.pop(index))
            self._summaries.pop(index, None)
        cutoff = max(oldest_kept_ms, self.watermark - self.rules.grace_ms)
        for index in sorted(self._held_buckets):
            if (index + 1) * bucket_ms > cutoff:
                break
            for held, key in self._held_buckets.pop(index):
                kept = [c for c in held.get(key, ()) if c[0] >= cutoff]
                if kept:
                    held[key] = kept
                else:
                    held.pop(key, None)

    def take_facts(self) -> FeedbackFacts:
        """The facts since the previous call."""
        if not (self._opened or self._answered or self._unanswered):
            return NO_FACTS
        facts = FeedbackFacts(tuple(self._opened), tuple(self._answered), tuple(self._unanswered))
        self._opened, self._answered, self._unanswered = [], [], []
        return facts

    def window_stats(self, low: int, as_of: int, directory: Directory) -> FeedbackStats:
        """Feedback statistics of the requests in buckets ``low`` and later, as of ``as_of``
        (the watermark): O(buckets + answered requests), each bucket summarized again only
        after one of its requests opened or got a new response."""
        summaries = self._summaries
        for index in self.by_bucket.keys() - summaries.keys():
            summaries[index] = BucketSummary(self.by_bucket[index])
        kept = (summary for index, summary in summaries.items() if index >= low)
        return window_stats(kept, as_of, self.rules.horizon_ms, directory)

    def open_requests(self) -> Iterable[Request]:
        """Requests not answered and not reported unanswered (O(requests in the horizon))."""
        return (entry[2] for entry in self._deadlines if entry[2].answer_t is None)

    def restore(
        self, requests: Iterable[Request], held: Iterable[tuple[bool, str, int, str]]
    ) -> None:
        """Load requests (in bucket order) and held ``(is_thread, key, t, actor)`` events into
        an empty tracker whose watermark is set."""
        for request in requests:
            self._index(request)
            if not request.reported:
                heapq.heappush(self._deadlines, (request.t, request.event_id, request))
        for is_thread, key, t, actor in held:
            self._hold_one(self._thread_held if is_thread else self._replies, key, t, actor)

    def held(self) -> list[tuple[bool, str, int, str]]:
        """Held events as sorted ``(is_thread, key, t, actor)`` rows, for serialization."""
        rows = [
            (is_thread, key, t, actor)
            for is_thread, held in ((False, self._replies), (True, self._thread_held))
            for key, candidates in held.items()
            for t, actor in candidates
        ]
        return sorted(rows)

    def _offer_to_requests(self, event: AcceptedEvent, directory: Directory) -> None:
        if event.in_reply_to is not None:
            request = self.requests.get(event.in_reply_to)
            if request is not None:
                self._offer(request, (event.occurred_at, event.actor), directory)
        if event.thread_id is not None:
            for request in self._threads.get(event.thread_id, ()):
                self._offer(request, (event.occurred_at, event.actor), directory)

    def _open(self, event: AcceptedEvent, directory: Directory) -> None:
        request = Request(event.event_id, event.occurred_at, event.actor, event.source)
        request.thread_id = event.thread_id
        self._index(request)
        self._opened.append(
            Opened(event.source, team_label(directory, event.actor, self.qualifies))
        )
        held = self._held_response(request)
        if held is not None:
            self._offer(request, held, directory)
        else:
            heapq.heappush(self._deadlines, (request.t, request.event_id, request))

    def _held_response(self, request: Request) -> Candidate | None:
        """The earliest held event within the grace that answers ``request``, if any."""
        held = self._replies.get(request.event_id, [])
        if request.thread_id is not None and request.thread_id in self._thread_held:
            held = held + self._thread_held[request.thread_id]
        if not held:
            return None
        floor = self.watermark - self.rules.grace_ms if self.watermark is not None else 0
        usable = [c for c in held if c[0] >= floor and self._fits(request, c)]
        return min(usable) if usable else None

    def _fits(self, request: Request, candidate: Candidate) -> bool:
        t, actor = candidate
        return actor != request.requester and request.t <= t <= request.t + self.rules.horizon_ms

    def _offer(self, request: Request, candidate: Candidate, directory: Directory) -> None:
        if not self._fits(request, candidate):
            return
        if request.answer_t is not None and (request.answer_t, request.responder) <= candidate:
            return
        request.answer_t, request.responder = candidate
        self._summaries.pop(request.t // self.rules.bucket_ms, None)
        if request.reported:
            return
        request.reported = True
        label = team_label(directory, request.requester, self.qualifies)
        scope = scope_of(directory, request.requester, candidate[1])
        latency = (candidate[0] - request.t) / 1000
        self._answered.append(Answered(request.source, label, scope, latency))

    def _hold(self, event: AcceptedEvent) -> None:
        t, actor = event.occurred_at, event.actor
        if event.in_reply_to is not None:
            self._hold_one(self._replies, event.in_reply_to, t, actor)
        if event.thread_id is not None:
            self._hold_one(self._thread_held, event.thread_id, t, actor)

    def _hold_one(self, held: Held, key: str, t: int, actor: str) -> None:
        held.setdefault(key, []).append((t, actor))
        self._held_buckets.setdefault(t // self.rules.bucket_ms, []).append((held, key))

    def _pass_deadlines(self, directory: Directory) -> None:
        assert self.watermark is not None
        limit = self.watermark - self.rules.horizon_ms
        while self._deadlines and self._deadlines[0][0] < limit:
            request = heapq.heappop(self._deadlines)[2]
            if not request.reported:
                request.reported = True
                label = team_label(directory, request.requester, self.qualifies)
                self._unanswered.append(Unanswered(request.source, label))

    def _index(self, request: Request) -> None:
        self.requests[request.event_id] = request
        index = request.t // self.rules.bucket_ms
        self.by_bucket.setdefault(index, []).append(request)
        self._summaries.pop(index, None)
        if request.thread_id is not None:
            self._threads.setdefault(request.thread_id, []).append(request)

    def _drop(self, requests: list[Request]) -> None:
        threads: set[str] = set()
        for request in requests:
            del self.requests[request.event_id]
            if request.thread_id is not None:
                threads.add(request.thread_id)
        gone = {id(request) for request in requests}
        for thread in threads:
            kept = [r for r in self._threads[thread] if id(r) not in gone]
            if kept:
                self._threads[thread] = kept
            else:
                del self._threads[thread]
