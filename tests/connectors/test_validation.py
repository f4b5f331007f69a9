"""Invalid input raises InvalidRecord naming the field, and nothing reaches the topics."""

from __future__ import annotations

import dataclasses
import time

import pytest
from support.kafka import end_offsets

from connectors.kafka_io import read_all
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson
from streams.records.validation import InvalidRecord
from streams.settings import Settings

NOW_MS = int(time.time() * 1000)
GOOD = RawInteraction(
    event_id="evt-1",
    tenant="acme",
    source="slack",
    kind="message",
    occurred_at=NOW_MS - 3_600_000,
    actor="alice@example.com",
    targets=("bob@example.com",),
)

INVALID_INTERACTIONS: dict[str, tuple[RawInteraction, str]] = {
    "missing actor": (dataclasses.replace(GOOD, actor=""), "actor"),
    "blank actor": (dataclasses.replace(GOOD, actor="   "), "actor"),
    "bad kind": (dataclasses.replace(GOOD, kind="shout"), "kind"),
    "empty kind": (dataclasses.replace(GOOD, kind=""), "kind"),
    "future timestamp": (
        dataclasses.replace(GOOD, occurred_at=int(time.time() * 1000) + 3_600_000),
        "occurred_at",
    ),
    "before 1970": (dataclasses.replace(GOOD, occurred_at=-1), "occurred_at"),
    "negative weight": (dataclasses.replace(GOOD, weight=-1.0), "weight"),
    "zero weight": (dataclasses.replace(GOOD, weight=0.0), "weight"),
    "nan weight": (dataclasses.replace(GOOD, weight=float("nan")), "weight"),
    "infinite weight": (dataclasses.replace(GOOD, weight=float("inf")), "weight"),
    "1001 targets": (
        dataclasses.replace(GOOD, targets=tuple(f"user{n}@example.com" for n in range(1001))),
        "targets",
    ),
    "empty target": (dataclasses.replace(GOOD, targets=("bob@example.com", "")), "targets"),
    "empty event_id": (dataclasses.replace(GOOD, event_id=""), "event_id"),
    "empty tenant": (dataclasses.replace(GOOD, tenant=""), "tenant"),
    "empty source": (dataclasses.replace(GOOD, source=""), "source"),
    "empty artifact": (dataclasses.replace(GOOD, artifacts=("",)), "artifacts"),
    "huge weight": (dataclasses.replace(GOOD, weight=1e303), "weight"),
    "weight above 1e6": (dataclasses.replace(GOOD, weight=1e6 * (1 + 1e-15)), "weight"),
    "weight below 1e-6": (dataclasses.replace(GOOD, weight=1e-9), "weight"),
    "long source": (dataclasses.replace(GOOD, source="s" * 65), "source"),
    "long thread": (dataclasses.replace(GOOD, thread_id="t" * 513), "thread_id"),
    "long reply id": (dataclasses.replace(GOOD, in_reply_to="r" * 513), "in_reply_to"),
    "long channel": (dataclasses.replace(GOOD, channel="c" * 513), "channel"),
    "long artifact": (dataclasses.replace(GOOD, artifacts=("a" * 513,)), "artifacts"),
    "101 artifacts": (
        dataclasses.replace(GOOD, artifacts=tuple(f"a{n}" for n in range(101))),
        "artifacts",
    ),
    "33 attributes": (
        dataclasses.replace(GOOD, attributes={f"k{n}": "v" for n in range(33)}),
        "attributes",
    ),
    "long attribute key": (dataclasses.replace(GOOD, attributes={"k" * 65: "v"}), "attributes"),
    "long attribute value": (
        dataclasses.replace(GOOD, attributes={"k": "v" * 1025}),
        "attributes",
    ),
    "lone surrogate": (dataclasses.replace(GOOD, thread_id="t\ud800"), "thread_id"),
    "strings over 64 KiB": (
        dataclasses.replace(GOOD, targets=tuple(f"{n:04d}" + "😀" * 20 for n in range(1000))),
        "record",
    ),
}

GOOD_PERSON = RawPerson("acme", "alice@example.com", "search")
INVALID_PEOPLE: dict[str, tuple[RawPerson, str]] = {
    "empty person": (dataclasses.replace(GOOD_PERSON, person=""), "person"),
    "empty team": (dataclasses.replace(GOOD_PERSON, team=""), "team"),
    "blank team": (dataclasses.replace(GOOD_PERSON, team=" "), "team"),
    "empty tenant": (dataclasses.replace(GOOD_PERSON, tenant=""), "tenant"),
}


def assert_topics_empty(settings: Settings) -> None:
    for topic in (settings.topic_interactions, settings.topic_directory):
        assert sum(end_offsets(settings.bootstrap, topic).values()) == 0, topic


@pytest.mark.parametrize("case", INVALID_INTERACTIONS)
def test_invalid_interaction_names_the_field(case: str, kafka_settings: Settings) -> None:
    raw, field = INVALID_INTERACTIONS[case]
    emitter = Emitter(kafka_settings)
    with pytest.raises(InvalidRecord) as raised:
        emitter.emit(raw)
    assert raised.value.field == field
    assert field in str(raised.value)
    assert emitter.stats.produced == 0


@pytest.mark.parametrize("case", INVALID_PEOPLE)
def test_invalid_person_names_the_field(case: str, kafka_settings: Settings) -> None:
    raw, field = INVALID_PEOPLE[case]
    emitter = Emitter(kafka_settings)
    with pytest.raises(InvalidRecord) as raised:
        emitter.emit(raw)
    assert raised.value.field == field
    assert emitter.stats.produced == 0


def test_boundaries_are_accepted(sdk_settings: Settings) -> None:
    accepted = [
        dataclasses.replace(
            GOOD, event_id="max-targets", targets=tuple(f"u{n}" for n in range(1000))
        ),
        dataclasses.replace(GOOD, event_id="tiny-weight", weight=1e-6),
        dataclasses.replace(GOOD, event_id="huge-weight", weight=1e6),
        dataclasses.replace(GOOD, event_id="odd-source", source="GitHub Enterprise ✓"),
        dataclasses.replace(GOOD, event_id="long-thread", thread_id="t" * 512),
        dataclasses.replace(
            GOOD, event_id="attributes", attributes={f"k{n}": "v" for n in range(32)}
        ),
        dataclasses.replace(
            GOOD, event_id="artifacts", artifacts=tuple(f"a{n}" for n in range(100))
        ),
        dataclasses.replace(GOOD, event_id="no-targets", targets=()),
        dataclasses.replace(GOOD, event_id="epoch", occurred_at=0),
        dataclasses.replace(GOOD, event_id="soon", occurred_at=int(time.time() * 1000) + 60_000),
    ]
    with Emitter(sdk_settings, envelopes=False) as emitter:
        for raw in accepted:
            emitter.emit(raw)
    assert len(read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)) == len(accepted)


def test_nothing_reaches_the_topics_for_invalid_input(sdk_settings: Settings) -> None:
    emitter = Emitter(sdk_settings)
    wrong: list[tuple[RawInteraction | RawPerson, str]] = []
    cases: list[tuple[RawInteraction | RawPerson, str]] = [
        *INVALID_INTERACTIONS.values(),
        *INVALID_PEOPLE.values(),
    ]
    for raw, field in cases:
        try:
            emitter.emit(raw)
        except InvalidRecord as error:
            if error.field != field:
                wrong.append((raw, error.field))
        else:
            wrong.append((raw, "accepted"))
    stats = emitter.close()
    assert [w[1] for w in wrong] == []
    assert (stats.produced, stats.delivered, stats.failed) == (0, 0, 0)
    assert_topics_empty(sdk_settings)
