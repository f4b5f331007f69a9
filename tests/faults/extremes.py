"""Schema-valid records with extreme values, and the verdict the record limits give them.

The limits are the ones the README documents ("Record limits"), restated here rather than
imported, so that the worker's validation is checked against the contract: every string
field has a length limit, lists and the attribute map have caps, all strings of a record
together take at most 64 KiB of UTF-8, 1e-6 ≤ weight ≤ 1e6, and occurred_at lies between
1970 and ``max_future`` ahead of the wall clock. A record breaking none is valid and must be
applied; one breaking some must be dead-lettered with one of their reasons.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streams.connectors.records import RawInteraction, RawPerson
from streams.model import Interaction, Person
from streams.timeutil import datetime_to_ms

ID_LIMIT = 512
SOURCE_LIMIT = 64
TARGETS_LIMIT = 1000
ARTIFACTS_LIMIT = 100
ATTRIBUTES_LIMIT = 32
KEY_LIMIT = 64
VALUE_LIMIT = 1024
RECORD_BYTES = 64 * 1024
WEIGHTS = (1e-6, 1e6)
ALPHABETS = ("a", "Z9_.-", "é", "€", "😀", "\x01\x1f", '"\\', " \t", 'aé€😀\x01"')
"""Characters of 1 to 4 UTF-8 bytes, control characters, JSON escapes and blanks."""
REQUIRED = ("event_id", "tenant", "actor")
OPTIONAL = ("thread_id", "in_reply_to", "channel")


@dataclass(frozen=True)
class Extreme:
    """A record with extreme values and the reasons it breaks (none: a valid record)."""

    record: Interaction
    reasons: frozenset[str]


def _utf8(value: str) -> int:
    return len(value.encode())


def _string_reasons(record: Interaction) -> set[str]:
    reasons: set[str] = set()
    for field in (*REQUIRED, "source"):
        value = record[field]  # type: ignore[literal-required]
        if not value.strip():
            reasons.add("missing_field")
        if len(value) > (SOURCE_LIMIT if field == "source" else ID_LIMIT):
            reasons.add("too_long")
    for field in OPTIONAL:
        value = record[field]  # type: ignore[literal-required]
        if value is not None and len(value) > ID_LIMIT:
            reasons.add("too_long")
    for values in (record["targets"], record["artifacts"]):
        if any(not v for v in values):
            reasons.add("wrong_type")
        if any(len(v) > ID_LIMIT for v in values):
            reasons.add("too_long")
    for key, value in record["attributes"].items():
        if not key.strip():
            reasons.add("wrong_type")
        if len(key) > KEY_LIMIT or len(value) > VALUE_LIMIT:
            reasons.add("too_long")
    return reasons


def record_bytes(record: Interaction) -> int:
    """UTF-8 bytes of all the string fields of a record."""
    strings = [record[f] for f in (*REQUIRED, "source", *OPTIONAL)]  # type: ignore[literal-required]
    total = sum(_utf8(s) for s in strings if s is not None)
    total += sum(_utf8(v) for v in (*record["targets"], *record["artifacts"]))
    return total + sum(_utf8(k) + _utf8(v) for k, v in record["attributes"].items())


def verdict(record: Interaction, now_ms: int, max_future_ms: int) -> frozenset[str]:
    """The reasons the record limits reject ``record`` for (empty when it is valid)."""
    reasons = _string_reasons(record)
    if len(record["targets"]) > TARGETS_LIMIT:
        reasons.add("too_many_targets")
    if len(record["artifacts"]) > ARTIFACTS_LIMIT:
        reasons.add("too_many_artifacts")
    if len(record["attributes"]) > ATTRIBUTES_LIMIT:
        reasons.add("too_many_attributes")
    if record_bytes(record) > RECORD_BYTES:
        reasons.add("too_large")
    if not WEIGHTS[0] <= record["weight"] <= WEIGHTS[1]:
        reasons.add("bad_weight")
    if record["occurred_at"] < 0:
        reasons.add("bad_timestamp")
    if record["occurred_at"] > now_ms + max_future_ms:
        reasons.add("future_timestamp")
    return frozenset(reasons)


class Extremes:
    """Damages copies of valid events with extreme values, every choice made by ``rng``.

    Lengths and counts are drawn around each limit (below, at, just above, far above);
    weights over the whole float range including subnormals and the limits' neighbours;
    timestamps near 0 and near ``max_future`` ahead of ``now_ms``.
    """

    def __init__(self, rng: random.Random, now_ms: int, max_future_ms: int) -> None:
        """Draw with ``rng``; timestamps relative to ``now_ms`` and ``max_future_ms``."""
        self.rng = rng
        self.now_ms = now_ms
        self.max_future_ms = max_future_ms
        self.count = 0
        self.mutations: list[Callable[[dict[str, Any]], None]] = [
            self.weight,
            self.string,
            self.string,
            self.many_targets,
            self.many_artifacts,
            self.many_attributes,
            self.source,
        ]

    def of(self, event: Interaction, mutations: int = 2) -> Extreme:
        """A copy of ``event`` with a new id and 1 to ``mutations`` extreme values."""
        self.count += 1
        record: dict[str, Any] = {**event, "event_id": f"x{self.count}-{event['event_id']}"}
        record["targets"], record["artifacts"] = list(event["targets"]), list(event["artifacts"])
        record["attributes"] = dict(event["attributes"])
        for _ in range(self.rng.randint(1, mutations)):
            self.rng.choice(self.mutations)(record)
        extreme: Interaction = record  # type: ignore[assignment]
        return Extreme(extreme, verdict(extreme, self.now_ms, self.max_future_ms))

    def timed(self, event: Interaction) -> Extreme:
        """A copy of ``event`` timed near 0 or near the future limit (either side of it)."""
        self.count += 1
        future = self.now_ms + self.max_future_ms
        occurred_at = self.rng.choice(
            [
                self.rng.randint(0, 1000),
                -self.rng.randint(1, 1000),
                future - self.rng.randint(60_000, 120_000),
                future + self.rng.randint(600_000, 10**12),
            ]
        )
        record = {**event, "event_id": f"t{self.count}-{event['event_id']}"}
        timed: Interaction = {**record, "occurred_at": occurred_at}  # type: ignore[typeddict-item]
        return Extreme(timed, verdict(timed, self.now_ms, self.max_future_ms))

    def _length(self, limit: int) -> int:
        rng = self.rng
        return rng.choice([1, limit - 1, limit, limit + 1, rng.randint(1, 4 * limit)])

    def _text(self, length: int) -> str:
        alphabet = self.rng.choice(ALPHABETS)
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def weight(self, record: dict[str, Any]) -> None:
        """Any positive or negative finite float, or a neighbour of a limit."""
        rng = self.rng
        low, high = WEIGHTS
        record["weight"] = rng.choice(
            [
                math.ldexp(rng.random(), rng.randint(-1074, 1024)),
                -math.ldexp(rng.random(), rng.randint(-20, 20)),
                low,
                high,
                math.nextafter(low, 0.0),
                math.nextafter(high, math.inf),
                1e303,
            ]
        )

    def string(self, record: dict[str, Any]) -> None:
        """One string field (an entry for lists and the map) of a length around its limit."""
        field = self.rng.choice(
            [*REQUIRED, "source", *OPTIONAL, "targets", "artifacts", "key", "value"]
        )
        limits = {"source": SOURCE_LIMIT, "key": KEY_LIMIT, "value": VALUE_LIMIT}
        limit = limits.get(field, ID_LIMIT)
        text = self._text(self._length(limit))
        if field == "event_id":
            record["event_id"] = f"x{self.count}-{text}"  # unique, whatever the text
        elif field in ("targets", "artifacts"):
            record[field].append(text)
        elif field == "key":
            record["attributes"][text] = "v"
        elif field == "value":
            record["attributes"][f"k{len(record['attributes'])}"] = text
        else:
            record[field] = text

    def _entries(self, limit: int) -> list[str]:
        count = self.rng.choice([0, limit - 1, limit, limit + 1, 2 * limit])
        length = self.rng.choice([1, 24, 64, 512])
        return [f"{i}-{self._text(length)}" for i in range(count)]

    def many_targets(self, record: dict[str, Any]) -> None:
        """A target list of a size around the hard cap, of short or long ids."""
        record["targets"] = self._entries(TARGETS_LIMIT)

    def many_artifacts(self, record: dict[str, Any]) -> None:
        """An artifact list of a size around its cap."""
        record["artifacts"] = self._entries(ARTIFACTS_LIMIT)

    def many_attributes(self, record: dict[str, Any]) -> None:
        """An attribute map of a size around its cap."""
        count = self.rng.choice([ATTRIBUTES_LIMIT, ATTRIBUTES_LIMIT + 1, 500])
        length = self.rng.choice([0, 8, VALUE_LIMIT])
        record["attributes"] = {f"k{i}": self._text(length) for i in range(count)}

    def source(self, record: dict[str, Any]) -> None:
        """A source that is no safe label: upper case, spaces, punctuation, non-ASCII."""
        record["source"] = self.rng.choice(
            ["Slack", "GitHub Enterprise", "e-mail/imap", "日本語", "a" * 40, "x;drop", "Ünï"]
        )


def plain_interaction(raw: RawInteraction) -> Interaction:
    """The record of ``raw`` as a producer writing straight to the topic would send it (its
    ids as they are, without the connectors' pseudonymization)."""
    occurred_at = raw.occurred_at
    return Interaction(
        event_id=raw.event_id,
        tenant=raw.tenant,
        source=raw.source,
        kind=raw.kind,  # type: ignore[typeddict-item]  # the simulator's kinds are valid
        occurred_at=occurred_at if isinstance(occurred_at, int) else datetime_to_ms(occurred_at),
        actor=raw.actor,
        targets=list(raw.targets),
        thread_id=raw.thread_id,
        in_reply_to=raw.in_reply_to,
        channel=raw.channel,
        artifacts=list(raw.artifacts),
        weight=raw.weight,
        attributes=dict(raw.attributes),
    )


def plain_person(raw: RawPerson) -> Person:
    """The directory entry of ``raw``, ids as they are."""
    return Person(
        person=raw.person, team=raw.team, manager=raw.manager, tenant=raw.tenant, bot=raw.bot
    )
