"""Connector.run: counts of read, produced and skipped records; stopping from another thread."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from support.events import decoded_events

from connectors.expected import KEY, epoch_ms, namespaced, pseudonym
from connectors.kafka_io import read_all
from streams.connectors.base import Connector, RunSummary
from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, RawPerson, Skipped, SourceItem
from streams.kafka.codec import person_codec
from streams.settings import Settings

T0 = epoch_ms(2024, 6, 3, 8)


def event(n: int, **changes: object) -> RawInteraction:
    fields: dict[str, object] = {
        "event_id": f"evt-{n}",
        "tenant": "acme",
        "source": "custom",
        "kind": "message",
        "occurred_at": T0 + n * 1000,
        "actor": "alice.smith@example.com",
        "targets": ("bob.jones@example.com",),
    }
    fields.update(changes)
    return RawInteraction(**fields)  # type: ignore[arg-type]


class ListConnector(Connector):
    name = "list"

    def __init__(self, items: Iterable[SourceItem]) -> None:
        self.items = items

    def records(self) -> Iterator[SourceItem]:
        yield from self.items


ITEMS: list[SourceItem] = [
    RawPerson("acme", "alice.smith@example.com", "search"),
    RawPerson("acme", "bob.jones@example.com", "search", "alice.smith@example.com"),
    Skipped("unreadable", "in.json:3"),
    RawPerson("acme", "", "search"),  # invalid: no person
    event(1),
    event(2, kind="gossip"),  # invalid
    Skipped("bad_timestamp", "in.json:6"),
    event(3, weight=-2.0),  # invalid
    event(4, kind="reply", in_reply_to="evt-1"),
    Skipped("bad_timestamp", "in.json:9"),
    event(5, weight=float("nan")),  # invalid
    event(6, targets=()),
]


def test_run_counts_read_produced_and_skipped(sdk_settings: Settings) -> None:
    seen: list[int] = []
    summary = ListConnector(ITEMS).run(Emitter(sdk_settings), progress=seen.append)
    assert summary.read == len(ITEMS) and seen == list(range(1, len(ITEMS) + 1))
    assert summary.produced == 5
    assert summary.skipped == Counter(
        {"bad_timestamp": 2, "unreadable": 1, "missing_field": 1, "bad_kind": 1, "bad_weight": 2}
    )
    assert summary.read == summary.produced + sum(summary.skipped.values())
    assert (summary.delivery.produced, summary.delivery.delivered) == (5, 5)

    events = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    decoded = decoded_events(sdk_settings, (e.value for e in events))
    assert [d["event_id"] for d in decoded] == [
        namespaced("event", "acme", raw) for raw in ("evt-1", "evt-4", "evt-6")
    ]
    assert {d["actor"] for d in decoded} == {pseudonym(KEY, "acme", "alice.smith@example.com")}
    people = person_codec(sdk_settings)
    entries = read_all(sdk_settings.bootstrap, sdk_settings.topic_directory)
    assert [people.decode(e.value)["person"] for e in entries if e.value is not None] == [
        pseudonym(KEY, "acme", "alice.smith@example.com"),
        pseudonym(KEY, "acme", "bob.jones@example.com"),
    ]


def test_empty_source(sdk_settings: Settings) -> None:
    summary = ListConnector([]).run(Emitter(sdk_settings))
    assert (summary.read, summary.produced, sum(summary.skipped.values())) == (0, 0, 0)


class Endless(Connector):
    name = "endless"

    def __init__(self) -> None:
        self.yielded = 0

    def records(self) -> Iterator[SourceItem]:
        for n in itertools.count():
            self.yielded += 1
            yield event(n, occurred_at=T0 + n)


def test_stop_from_another_thread_ends_a_long_run(sdk_settings: Settings) -> None:
    connector = Endless()
    reached = threading.Event()
    results: list[RunSummary] = []

    def progress(count: int) -> None:
        if count >= 200:
            reached.set()

    def work() -> None:
        results.append(connector.run(Emitter(sdk_settings, envelopes=False), progress=progress))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    assert reached.wait(30)
    time.sleep(0.05)
    connector.stop()
    worker.join(30)
    assert not worker.is_alive()
    (summary,) = results
    produced = summary.produced
    assert produced >= 200 and summary.read == produced
    assert summary.delivery.delivered == produced
    assert connector.yielded <= produced + 1  # stopped after the current record
    on_topic = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    assert len(on_topic) == produced
