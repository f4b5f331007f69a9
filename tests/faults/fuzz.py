"""Seeded bad records for the interactions topic, each with the dead-letter reasons it may get.

The reasons follow from the wire format and the event contract (DESIGN §2 and §3), not from
the worker's code: single-object framing is ``C3 01`` + an 8-byte fingerprint + the body, ids
are non-empty strings of at most 512 characters, timestamps lie between 1970 and a few minutes
ahead of the wall clock, at most 1000 targets, weights lie between 1e-6 and 1e6 (the other
documented limits are exercised by :mod:`faults.extremes`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from streams.kafka.codec import Codec
from streams.model import Interaction
from streams.timeutil import now_ms

DAY_MS = 86_400_000
MAX_ID_LENGTH = 512
MAX_TARGETS = 1000
MAGIC = b"\xc3\x01"
HEADER = len(MAGIC) + 8
ID_FIELDS = ("event_id", "tenant", "source", "actor")


@dataclass(frozen=True)
class BadRecord:
    """A record value no worker may process, and the reasons it may be dead-lettered with."""

    value: bytes | None
    reasons: frozenset[str]


class Fuzzer:
    """Derives bad records from valid interactions, choosing each kind of damage at random."""

    def __init__(
        self, rng: random.Random, codec: Codec[Interaction], valid: Sequence[Interaction]
    ) -> None:
        """Damage copies of ``valid`` events encoded with ``codec``; ``rng`` decides everything."""
        self.rng = rng
        self.codec = codec
        self.valid = valid
        self.kinds: dict[Callable[[], BadRecord], float] = {
            self.random_bytes: 2.0,
            self.empty: 0.5,
            self.wrong_magic: 1.0,
            self.truncated: 2.0,
            self.trailing_bytes: 1.0,
            self.unknown_fingerprint: 0.5,
            self.writer_without_a_field: 0.5,
            self.future_timestamp: 1.0,
            self.negative_timestamp: 0.5,
            self.missing_id: 1.0,
            self.overlong_id: 0.5,
            self.empty_target: 0.5,
            self.too_many_targets: 0.2,
            self.bad_weight: 1.0,
        }
        self._without_weight = self._writer_without("weight")

    def records(self, count: int) -> list[BadRecord]:
        """``count`` bad records of randomly chosen kinds."""
        makers = list(self.kinds)
        weights = list(self.kinds.values())
        return [maker() for maker in self.rng.choices(makers, weights, k=count)]

    def _event(self) -> Interaction:
        return self.rng.choice(self.valid)

    def _encoded(self) -> bytes:
        return self.codec.encode(self._event())

    def _invalid(self, changes: dict[str, object], reason: str) -> BadRecord:
        value = self.codec.encode({**self._event(), **changes})  # type: ignore[typeddict-item]
        return BadRecord(value, frozenset({reason}))

    def random_bytes(self) -> BadRecord:
        """Up to 256 random bytes: what they break depends on how they start."""
        value = self.rng.randbytes(self.rng.randint(0, 256))
        if not value:
            return BadRecord(value, frozenset({"empty"}))
        if value[0] != MAGIC[0] or (len(value) > 1 and value[1] != MAGIC[1]):
            return BadRecord(value, frozenset({"bad_magic"}))
        return BadRecord(value, frozenset({"truncated", "unknown_schema"}))

    def empty(self) -> BadRecord:
        """No value at all, or an empty one."""
        return BadRecord(self.rng.choice([None, b""]), frozenset({"empty"}))

    def wrong_magic(self) -> BadRecord:
        """A valid record whose first or second framing byte is wrong."""
        value = bytearray(self._encoded())
        position = self.rng.randrange(2)
        value[position] = self.rng.choice([b for b in range(256) if b != MAGIC[position]])
        return BadRecord(bytes(value), frozenset({"bad_magic"}))

    def truncated(self) -> BadRecord:
        """A valid record cut short, anywhere in its header or body."""
        value = self._encoded()
        return BadRecord(value[: self.rng.randrange(1, len(value))], frozenset({"truncated"}))

    def trailing_bytes(self) -> BadRecord:
        """A valid record followed by more bytes."""
        value = self._encoded() + self.rng.randbytes(self.rng.randint(1, 32))
        return BadRecord(value, frozenset({"trailing_bytes"}))

    def unknown_fingerprint(self) -> BadRecord:
        """A valid record whose schema fingerprint has one byte changed."""
        value = bytearray(self._encoded())
        value[self.rng.randrange(2, HEADER)] ^= self.rng.randint(1, 255)
        return BadRecord(bytes(value), frozenset({"unknown_schema"}))

    def writer_without_a_field(self) -> BadRecord:
        """Valid Avro of a schema lacking the ``weight`` field: a writer schema nobody knows."""
        event = {k: v for k, v in self._event().items() if k != "weight"}
        return BadRecord(self._without_weight.encode(event), frozenset({"unknown_schema"}))

    def future_timestamp(self) -> BadRecord:
        """Occurred an hour to a year from now."""
        ahead = self.rng.randint(DAY_MS // 24, 365 * DAY_MS)
        return self._invalid({"occurred_at": now_ms() + ahead}, "future_timestamp")

    def negative_timestamp(self) -> BadRecord:
        """Occurred before 1970."""
        return self._invalid({"occurred_at": -self.rng.randint(1, 10**12)}, "bad_timestamp")

    def missing_id(self) -> BadRecord:
        """An empty or blank event id, tenant, source or actor."""
        field = self.rng.choice(ID_FIELDS)
        return self._invalid({field: self.rng.choice(["", " ", "\t "])}, "missing_field")

    def overlong_id(self) -> BadRecord:
        """An id longer than the limit."""
        field = self.rng.choice(ID_FIELDS)
        return self._invalid({field: "x" * self.rng.randint(MAX_ID_LENGTH + 1, 2000)}, "too_long")

    def empty_target(self) -> BadRecord:
        """An empty string among the targets."""
        targets = [*self._event()["targets"], ""]
        self.rng.shuffle(targets)
        return self._invalid({"targets": targets}, "wrong_type")

    def too_many_targets(self) -> BadRecord:
        """More targets than any event may have."""
        targets = [f"t{i}" for i in range(self.rng.randint(MAX_TARGETS + 1, MAX_TARGETS + 50))]
        return self._invalid({"targets": targets}, "too_many_targets")

    def bad_weight(self) -> BadRecord:
        """A weight that is zero, negative or not finite."""
        weight = self.rng.choice([0.0, -0.0, -1.0, -1e9, math.nan, math.inf, -math.inf])
        return self._invalid({"weight": weight}, "bad_weight")

    def _writer_without(self, field: str) -> Codec[dict[str, object]]:
        schema = self.codec.schema
        schema["fields"] = [f for f in schema["fields"] if f["name"] != field]
        return Codec(schema)
