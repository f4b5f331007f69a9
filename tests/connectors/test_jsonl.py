"""The generic JSON Lines format: parsing, skipped lines, and an import through the broker."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from support.events import decoded_events

from connectors.expected import KEY, namespaced, pseudonym
from connectors.kafka_io import read_all
from streams.connectors.emitter import Emitter
from streams.connectors.json_records import JsonlConnector
from streams.connectors.records import RawInteraction, RawPerson, Skipped
from streams.settings import Settings

LINES = [
    {
        "event_id": "j1",
        "source": "custom",
        "kind": "request",
        "occurred_at": "2026-03-01T10:00:00Z",
        "actor": "ann@example.com",
        "targets": ["ben@example.com"],
        "thread_id": "t1",
    },
    {
        "event_id": "j2",
        "tenant": "other",
        "source": "custom",
        "kind": "reply",
        "occurred_at": 1772359200000,
        "actor": "ben@example.com",
        "targets": ["ann@example.com"],
        "thread_id": "t1",
        "in_reply_to": "j1",
        "weight": 2.5,
        "attributes": {"tool": "x"},
    },
    {
        "event_id": "j3",
        "source": "custom",
        "kind": "message",
        "occurred_at": "yesterday",
        "actor": "ann@example.com",
    },
    {
        "event_id": "j4",
        "source": "custom",
        "kind": "message",
        "occurred_at": 1772359200000,
        "actor": "ann@example.com",
        "targets": "ben@example.com",
    },
]


def write(tmp_path: Path) -> tuple[Path, Path]:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([*(json.dumps(line) for line in LINES), "{broken", ""]) + "\n")
    directory = tmp_path / "directory.csv"
    directory.write_text("person,team\nann@example.com,alpha\nben@example.com,beta\n")
    return events, directory


def test_lines_parse_and_bad_ones_are_skipped(tmp_path: Path) -> None:
    events, directory = write(tmp_path)
    items = list(JsonlConnector([events], "acme", directory).records())
    assert [type(i) for i in items[:2]] == [RawPerson, RawPerson]
    interactions = [i for i in items if isinstance(i, RawInteraction)]
    assert [(i.event_id, i.tenant) for i in interactions] == [("j1", "acme"), ("j2", "other")]
    assert interactions[0].occurred_at == 1772359200000
    assert interactions[1].in_reply_to == "j1" and interactions[1].weight == 2.5
    assert interactions[1].attributes == {"tool": "x"}
    skipped = Counter(i.reason for i in items if isinstance(i, Skipped))
    assert skipped == {"bad_timestamp": 1, "wrong_type": 1, "bad_json": 1}


def test_jsonl_import_on_the_broker(tmp_path: Path, sdk_settings: Settings) -> None:
    events, directory = write(tmp_path)
    summary = JsonlConnector([events], "acme", directory).run(Emitter(sdk_settings))
    assert (summary.produced, sum(summary.skipped.values())) == (4, 3)
    reads = read_all(sdk_settings.bootstrap, sdk_settings.topic_interactions)
    decoded = decoded_events(sdk_settings, (m.value for m in reads))
    j1, j2 = namespaced("event", "acme", "j1"), namespaced("event", "other", "j2")
    assert sorted(e["event_id"] for e in decoded) == sorted([j1, j2])
    first = next(e for e in decoded if e["event_id"] == j1)
    assert first["actor"] == pseudonym(KEY, "acme", "ann@example.com")
    reply = next(e for e in decoded if e["event_id"] == j2)
    assert reply["in_reply_to"] == namespaced("event", "other", "j1")
    assert reply["thread_id"] == namespaced("thread", "other", "t1")
    assert reply["attributes"] == {}  # "tool" is on no allow-list
