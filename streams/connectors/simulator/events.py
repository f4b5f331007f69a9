"""Event-time simulation of a synthetic organization's interactions, requests and answers."""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from streams.connectors.records import RawInteraction
from streams.connectors.simulator.org import Member, Org, OrgSpec

BASE_KINDS = ("message", "message", "message", "mention", "comment", "reaction", "meeting")
BOT_REPLY_MS = 5_000


@dataclass
class LatencyTruth:
    """Latencies (seconds) of the answers the simulator planted, by scope."""

    within_team: list[float] = field(default_factory=list)
    cross_team: list[float] = field(default_factory=list)


class EventSimulator:
    """Yields an organization's interactions in event-time order, from ``start_ms`` on."""

    def __init__(self, spec: OrgSpec, org: Org, start_ms: int) -> None:
        self.spec = spec
        self.org = org
        self.truth = LatencyTruth()
        self._rng = random.Random(spec.seed + 1 if not spec.run else f"{spec.seed}/{spec.run}")
        self._id_prefix = f"{spec.tenant}-sim-" + (f"{spec.run}-" if spec.run else "")
        self._humans = [m for m in org.members if not m.bot]
        self._bots = [m for m in org.members if m.bot]
        self._pull = list(itertools.accumulate(m.attraction for m in self._humans))
        self._pending: list[tuple[int, int, RawInteraction, tuple[list[float], float] | None]] = []
        self._now = start_ms
        self._sequence = 0
        self._artifacts = 0

    def events(self, count: int) -> Iterator[RawInteraction]:
        """The next ``count`` events, in event-time order."""
        for _ in range(count):
            self._now += round(self._rng.expovariate(self.spec.events_per_hour) * 3_600_000)
            if self._pending and self._pending[0][0] <= self._now:
                _, _, event, truth = heapq.heappop(self._pending)
                if truth is not None:
                    truth[0].append(truth[1])
                yield event
            else:
                yield self._base_event()

    def _next_id(self) -> str:
        self._sequence += 1
        return f"{self._id_prefix}{self._sequence:09d}"

    def _schedule(
        self, at: int, event: RawInteraction, truth: tuple[list[float], float] | None = None
    ) -> None:
        heapq.heappush(self._pending, (at, self._sequence, event, truth))

    def _target(self, actor: Member) -> Member:
        team = self.org.teams.get(actor.team) if actor.team else None
        if team and len(team) > 1 and self._rng.random() < actor.inward_share:
            return self._rng.choice([m for m in team if m is not actor])
        while True:
            other = self._rng.choices(self._humans, cum_weights=self._pull)[0]
            if other is not actor and (other.team is None or other.team != actor.team):
                return other

    def _base_event(self) -> RawInteraction:
        rng = self._rng
        actor = rng.choice(self._humans)
        targets = [self._target(actor) for _ in range(1 + (rng.random() < 0.3))]
        roll = rng.random()
        if roll < self.spec.request_share:
            return self._request(actor, targets[0])
        kind = (
            "share"
            if roll < self.spec.request_share + self.spec.share_share
            else rng.choice(BASE_KINDS)
        )
        return self._event(
            kind, actor, targets, artifacts=self._artifact() if kind == "share" else ()
        )

    def _event(
        self,
        kind: str,
        actor: Member,
        targets: list[Member],
        at: int | None = None,
        **extra: object,
    ) -> RawInteraction:
        return RawInteraction(
            event_id=self._next_id(),
            tenant=self.spec.tenant,
            source="simulator",
            kind=kind,
            occurred_at=self._now if at is None else at,
            actor=actor.person,
            targets=[t.person for t in targets],
            **extra,  # type: ignore[arg-type]
        )

    def _artifact(self) -> tuple[str, ...]:
        if self._artifacts == 0 or self._rng.random() < 0.5:
            self._artifacts += 1
        return (f"artifact-{self._rng.randrange(self._artifacts):06d}",)

    def _request(self, requester: Member, responder: Member) -> RawInteraction:
        opened = self._event("request", requester, [responder])
        request = dataclasses.replace(opened, thread_id=opened.event_id)
        thread = {"thread_id": request.event_id}
        rng, spec = self._rng, self.spec
        if self._bots and rng.random() < spec.bot_reply_rate:
            bot = rng.choice(self._bots)
            at = self._now + BOT_REPLY_MS
            self._schedule(at, self._event("reply", bot, [requester], at, **thread))
        if rng.random() < spec.self_followup_rate:
            at = self._now + 1_000
            self._schedule(at, self._event("message", requester, [], at, **thread))
        if rng.random() < spec.answer_rate:
            within = requester.team is not None and requester.team == responder.team
            median = spec.within_latency_median_s if within else spec.cross_latency_median_s
            latency_ms = max(
                1_000, round(median * rng.lognormvariate(0.0, spec.latency_sigma) * 1000)
            )
            at = self._now + latency_ms
            reply = self._event(
                "reply", responder, [requester], at, in_reply_to=request.event_id, **thread
            )
            scope = self.truth.within_team if within else self.truth.cross_team
            self._schedule(at, reply, (scope, latency_ms / 1000))
        return request
